from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evaluator import Evaluator
from evaluator.calibration import default_calibration
from evaluator.contradiction import find_contradiction, negation_scopes
from evaluator.judge.finder import NEAR_BEST_SIMILARITY
from evaluator.matcher import MatchDetails
from evaluator.segment import Segment
from rubric import KeyPoint, Question

POINT = "Dropout is applied during training to regularise the network."


def test_negation_scope_is_the_next_content_words():
    assert negation_scopes("Dropout is not applied during training.") == [("appli", "dure", "train")]


def test_not_only_is_no_negation():
    assert negation_scopes("Dropout is not only applied during training.") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Dropout is not applied during training.", "negation"),
        ("Dropout is applied during inference to regularise the network.", "opposite"),
    ],
)
def test_cues(text, kind):
    cue = find_contradiction(POINT, text)
    assert cue is not None and cue.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "During training, dropout randomly zeroes units, which regularises the network.",
        "Dropout never makes the network worse, and it is not applied at test time.",  # negates other words
    ],
)
def test_agreeing_text_has_no_cue(text):
    assert find_contradiction(POINT, text) is None


@pytest.mark.parametrize(
    ("point", "text"),
    [
        # a comparative grades the word after it: less jittery is more stable
        ("Batch norm makes training converge faster and more stably.",
         "The loss curve is much less jittery."),
        # "little" denies by meaning, so negations are not compared
        ("Adam needs little tuning.", "With Adam you don't have to tune it much."),
        # the negation denies the tie, not the count
        ("Deep learning is not tied to one paradigm.",
         "Deep nets serve all three paradigms, not just the supervised one."),
        # "first" is the early side
        ("Hybrids use early convolutional stages.",
         "Hybrids use conv stages first and transformer blocks later."),
        # before and after swap with their operands, so words alone cannot tell
        ("ReLU is applied after each convolution.",
         "Convolution outputs pass through ReLU before the next layer."),
        # a negation in a relative clause qualifies a noun; it does not deny the point
        ("Typical augmentations include rotations, flips and colour changes.",
         "Augmentation applies transformations that don't change the label, such as rotations and flips."),
        ("Hyperparameters include the learning rate and the batch size.",
         "Hyperparameters are settings which the model doesn't learn, such as the learning rate."),
        # a condition asserts nothing, and "yes or no" is no negation
        ("Data augmentation or more training data gives the model more variety to learn from.",
         "The most effective fix is usually more data, and if that's not possible, data augmentation."),
        ("A perceptron outputs a binary class.", "A perceptron says yes or no, a binary class decision."),
    ],
)
def test_agreeing_wordings_have_no_cue(point, text):
    assert find_contradiction(point, text) is None


def test_a_comparative_of_the_same_word_is_opposite():
    cue = find_contradiction(
        "A GRU has fewer parameters than an LSTM.", "A GRU has more parameters than an LSTM."
    )
    assert cue is not None and cue.kind == "opposite"


def test_both_negated_is_agreement():
    assert find_contradiction("Dropout is not used at inference.", "At inference dropout is not used.") is None


def _details(evaluator: Evaluator, texts: list[str], similarities: list[float]) -> MatchDetails:
    question = Question(id="dropout", text="What is dropout?", key_points=[KeyPoint(id="train", text=POINT)])
    segments = []
    start = 0
    for text in texts:
        segments.append(Segment(text, start, start + len(text), "sentence"))
        start += len(text) + 1
    return MatchDetails(
        question=question,
        segments=segments,
        features=np.zeros((1, 4)),
        similarity=np.array([similarities]),
        point_similarity=np.array([similarities]),
        best_segment=np.array([int(np.argmax(similarities))]),
        misconception_similarity=np.zeros((0, len(texts))),
    )


@pytest.fixture
def hashing_evaluator(hashing_embedder) -> Evaluator:
    return Evaluator(embedder=hashing_embedder, cache_size=0)


SENTENCES = ["Dropout is used in training and helps a lot.", "Dropout is not applied during training."]


def test_a_denial_matching_nearly_best_is_found(hashing_evaluator):
    high = default_calibration().contradiction_similarity + 0.2
    found = hashing_evaluator.contradiction_in(0, _details(hashing_evaluator, SENTENCES, [high, high - NEAR_BEST_SIMILARITY / 2]))
    assert found is not None and found[1].text == SENTENCES[1]


def test_a_denial_far_below_the_best_match_is_not_taken(hashing_evaluator):
    high = default_calibration().contradiction_similarity + 0.2
    details = _details(hashing_evaluator, SENTENCES, [high, high - NEAR_BEST_SIMILARITY - 0.05])
    assert hashing_evaluator.contradiction_in(0, details) is None


def test_a_denial_in_a_sentence_another_point_matches_better_is_not_taken(hashing_evaluator):
    high = default_calibration().contradiction_similarity + 0.2
    details = _details(hashing_evaluator, SENTENCES, [high - 0.1, high])
    other = KeyPoint(id="other", text="Dropout is a regularisation technique.")
    question = details.question.model_copy(update={"key_points": (*details.question.key_points, other)})

    def with_other_point(similarities: list[float]) -> MatchDetails:
        both = np.vstack([details.similarity, [similarities]])
        return replace(details, question=question, similarity=both, point_similarity=both)

    assert hashing_evaluator.contradiction_in(0, with_other_point([0.0, high + 0.05])) is None
    assert hashing_evaluator.contradiction_in(0, with_other_point([0.0, high - 0.05])) is not None


def test_a_denial_below_the_calibrated_similarity_is_not_taken(hashing_evaluator):
    low = default_calibration().contradiction_similarity - 0.01
    assert hashing_evaluator.contradiction_in(0, _details(hashing_evaluator, SENTENCES, [low, low])) is None


RUBRIC = Question(
    id="dropout",
    text="What is dropout and when is it used?",
    key_points=[
        KeyPoint(id="random-zero", text="Dropout randomly sets a fraction of the units' activations to zero."),
        KeyPoint(id="train-only", text="Dropout is applied during training and switched off for inference."),
    ],
)


def test_real_model_flags_a_denied_point_with_its_sentence(real_evaluator):
    denial = "Dropout is not applied during training; it is switched on for inference."
    answer = f"Dropout randomly zeroes a fraction of the activations. {denial}"
    result = real_evaluator.evaluate(answer, rubric=RUBRIC)
    point = {p.id: p for p in result.points}["train-only"]
    assert result.contradicted == ("train-only",)
    assert point.score == 0 and point.evidence is not None and point.evidence.text in denial
    assert {p.id: p for p in result.points}["random-zero"].verdict == "covered"


def test_real_model_does_not_flag_a_correct_answer(real_evaluator):
    answer = (
        "During training, dropout switches off a random share of the neurons' outputs at every step. "
        "When the model is used for inference, it is not applied and all units stay active."
    )
    result = real_evaluator.evaluate(answer, rubric=RUBRIC)
    assert result.contradicted == ()
    assert all(p.verdict != "missed" for p in result.points)


MISCONCEPTION = "Dropout stays active when the model makes predictions at inference."
WITH_MISCONCEPTION = Question(
    id="dropout",
    text="What is dropout and when is it used?",
    key_points=[
        KeyPoint(id="random-zero", text="Dropout randomly sets a fraction of the units' activations to zero."),
        KeyPoint(id="train-only", text="Dropout is applied during training and switched off for inference.",
                 misconceptions=(MISCONCEPTION,)),
    ],
)


def _misconception_evaluator(hashing_embedder, similarity: float | None) -> Evaluator:
    """The similarity check of misconceptions alone (the edit check is tested in test_matching and
    test_lexical, and on the real model)."""
    calibration = replace(
        default_calibration(), misconception_similarity=similarity, misconception_margin=0.05, edit_similarity=None
    )
    return Evaluator(embedder=hashing_embedder, calibration=calibration, cache_size=0)


def test_an_answer_stating_a_misconception_contradicts_its_point(hashing_embedder):
    answer = f"Dropout randomly sets some activations to zero. {MISCONCEPTION}"
    result = _misconception_evaluator(hashing_embedder, 0.5).evaluate(answer, rubric=WITH_MISCONCEPTION)
    point = result.points[1]
    assert (point.verdict, point.score, point.evidence.text) == ("contradicted", 0.0, MISCONCEPTION)
    assert point.misconception == MISCONCEPTION
    assert answer[point.evidence.start : point.evidence.end] == MISCONCEPTION
    assert result.contradicted == ("train-only",)
    assert result.points[0].verdict != "contradicted"


@pytest.mark.parametrize(
    "answer",
    [
        "Dropout is applied during training and switched off for inference.",
        # the point stated as plainly as the misconception: not taken as a denial
        f"Dropout is applied during training and switched off for inference. {MISCONCEPTION}",
    ],
)
def test_stating_the_point_is_not_a_misconception(hashing_embedder, answer):
    result = _misconception_evaluator(hashing_embedder, 0.5).evaluate(answer, rubric=WITH_MISCONCEPTION)
    assert result.contradicted == ()


def test_misconceptions_are_not_checked_without_a_calibrated_similarity(hashing_embedder):
    result = _misconception_evaluator(hashing_embedder, None).evaluate(MISCONCEPTION, rubric=WITH_MISCONCEPTION)
    assert result.contradicted == ()


@pytest.mark.parametrize(
    ("question_id", "point_id", "wrong", "right"),
    [
        ("advanced-13", "gan-adversarial", "The discriminator generates images and the generator judges them.",
         "The generator makes images and the discriminator judges whether they are real."),
        ("advanced-02", "gru-fewer-params", "An LSTM has fewer parameters than a GRU.",
         "A GRU has fewer parameters than an LSTM."),
    ],
)
def test_real_model_sees_swapped_roles_and_comparisons_and_says_so(real_evaluator, question_id, point_id, wrong, right):
    point = next(p for p in real_evaluator.evaluate(wrong, question_id=question_id).points if p.id == point_id)
    assert (point.verdict, point.score, point.evidence.text) == ("contradicted", 0.0, wrong)
    assert "other way round" in point.contradiction
    assert point_id not in real_evaluator.evaluate(right, question_id=question_id).contradicted
