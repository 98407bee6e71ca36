"""`not asked` points: the pure restriction of a result, and which points a narrower question leaves out."""

from __future__ import annotations

import pytest

from evaluator.asked import restrict_to_asked
from evaluator.batch import AskedParts
from evaluator.results import EvaluationResult, PointResult


def point(pid: str, score: float, weight: float, verdict: str) -> PointResult:
    return PointResult(id=pid, text=f"{pid} text", weight=weight, score=score, similarity=0.5, verdict=verdict,
                       evidence=None)  # fmt: skip


RESULT = EvaluationResult(
    question_id="fresher-04",
    score=0.5,
    points=(point("a", 1.0, 3.0, "covered"), point("b", 0.0, 2.0, "missed"), point("c", 0.0, 1.0, "missed")),
    missed=("b", "c"),
    contradicted=(),
    model="m",
    evaluator_version="v",
)


def test_points_not_asked_are_set_aside_and_the_score_is_the_weighted_mean_of_the_rest():
    narrowed = restrict_to_asked(RESULT, {"b"})
    assert narrowed.score == 0.75  # (1.0 * 3 + 0.0 * 1) / (3 + 1)
    assert [p.verdict for p in narrowed.points] == ["covered", "not_asked", "missed"]
    assert narrowed.missed == ("c",)


def test_nothing_to_set_aside_or_everything_leaves_the_result_unchanged():
    assert restrict_to_asked(RESULT, set()) is RESULT
    assert restrict_to_asked(RESULT, {"unknown"}) is RESULT
    assert restrict_to_asked(RESULT, {"a", "b", "c"}) is RESULT


@pytest.mark.model
def test_a_question_asking_one_part_leaves_out_the_other_parts_points(real_evaluator):
    finder = AskedParts(real_evaluator.bank, real_evaluator.embedder)
    left_out = finder.not_asked("What is gradient descent?", "fresher-04")
    assert {"variants", "stochastic-noise"} <= left_out
    assert not {"minimizes-loss", "negative-gradient"} & left_out
    whole = real_evaluator.bank["fresher-04"].text
    assert finder.not_asked(whole, "fresher-04") == frozenset()
    assert finder.not_asked("What is an epoch?", "fresher-06") == frozenset()  # a one-part question
