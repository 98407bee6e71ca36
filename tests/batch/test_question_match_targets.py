"""The matcher's targets on tests/data/question_rephrasings.yaml, on the half that was not used to tune it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evaluator.batch import QuestionMatcher

pytestmark = pytest.mark.model
SET = yaml.safe_load((Path(__file__).parents[1] / "data" / "question_rephrasings.yaml").read_text())


def held_out(texts: list[str]) -> list[str]:
    return texts[1::2]  # odd positions; the even ones were used to choose the thresholds


def test_the_set_covers_every_bank_question_with_enough_rephrasings(real_evaluator):
    assert set(SET["rephrasings"]) == set(real_evaluator.bank)
    assert sum(len(v) for v in SET["rephrasings"].values()) >= 150
    assert len(SET["small_talk"]) >= 15 and len(SET["outside_bank"]) >= 25


def test_held_out_precision_and_recall_meet_the_targets(real_evaluator):
    matcher = QuestionMatcher(real_evaluator.bank, real_evaluator.embedder)
    cases = [(text, qid) for qid, texts in SET["rephrasings"].items() for text in held_out(texts)]
    cases += [(text, None) for kind in ("small_talk", "outside_bank") for text in held_out(SET[kind])]
    predicted = [m.question_id for m in matcher.match_many([text for text, _ in cases])]
    right = sum(1 for (_, qid), got in zip(cases, predicted, strict=True) if got is not None and got == qid)
    made = sum(1 for got in predicted if got is not None)
    positives = sum(1 for _, qid in cases if qid is not None)
    assert right / made >= 0.97, f"precision {right}/{made}"
    assert right / positives >= 0.90, f"recall {right}/{positives}"
    small_talk = [got for (text, _), got in zip(cases, predicted, strict=True) if text in SET["small_talk"]]
    assert small_talk and all(got is None for got in small_talk)


@pytest.mark.parametrize(
    ("text", "question_id"),
    [
        ("What's a CNN?", "fresher-13"),
        ("How does a VAE differ from a GAN?", "advanced-13"),
        ("What's an epoch?", "fresher-06"),
    ],
)
def test_abbreviations_are_spelled_out_before_matching(real_evaluator, text: str, question_id: str):
    matcher = QuestionMatcher(real_evaluator.bank, real_evaluator.embedder)
    assert matcher.match(text).question_id == question_id


def test_a_question_that_points_one_way_is_settled_by_its_answer_and_small_talk_is_not(real_evaluator):
    default = QuestionMatcher(real_evaluator.bank, real_evaluator.embedder)
    assert default.use_answers is False  # measured worse than the question alone: off by default
    matcher = QuestionMatcher(real_evaluator.bank, real_evaluator.embedder, use_answers=True)
    question = "Tell me how networks learn from their mistakes."
    answer = (
        "Backpropagation computes the gradient of the loss with respect to every weight by applying the "
        "chain rule layer by layer from the output back to the input. The optimizer then uses those "
        "gradients to update the weights."
    )
    alone, with_answer = matcher.match_many([question], None)[0], matcher.match_many([question], [answer])[0]
    assert alone.question_id is None and alone.best_id == "fresher-03"
    assert (with_answer.question_id, with_answer.by_answer) == ("fresher-03", True)
    talk = matcher.match_many(["Where do you see yourself in five years?"], [answer])[0]
    assert talk.question_id is None
