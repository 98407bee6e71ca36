"""Evaluator logic with a hashed bag-of-words embedder: ordering, errors, caching, inline rubrics."""

from __future__ import annotations

import pytest

from evaluator import EmptyAnswerError, EvaluationRequest, EvaluationResult, Evaluator
from rubric import InvalidRubricError, Question, UnknownQuestionError, load_bank

RUBRIC = {
    "id": "colours",
    "text": "Which colours make green?",
    "key_points": [
        {"id": "blue", "text": "mixing blue paint", "weight": 2},
        {"id": "yellow", "text": "adding yellow dye", "weight": 1},
    ],
}


@pytest.fixture
def evaluator(hashing_embedder):
    return Evaluator(embedder=hashing_embedder, bank=load_bank())


def test_inline_rubric_scores_and_points_to_evidence(evaluator):
    answer = "Start adding yellow dye. Then add mixing blue paint slowly."
    result = evaluator.evaluate(answer, rubric=RUBRIC)
    assert isinstance(result, EvaluationResult)
    assert [p.id for p in result.points] == ["blue", "yellow"]
    yellow = result.points[1]
    assert yellow.verdict == "covered"
    assert answer[yellow.evidence.start : yellow.evidence.end] == yellow.evidence.text
    assert "yellow" in yellow.evidence.text
    assert result.missed == ()
    assert 0 < result.score <= 1


def test_missed_points_have_no_evidence_and_are_listed(evaluator):
    result = evaluator.evaluate("Nothing relevant whatsoever is here.", rubric=RUBRIC)
    assert result.missed == ("blue", "yellow")
    assert all(p.evidence is None and p.score == 0 for p in result.points)
    assert result.score == 0


def test_weights_drive_the_overall_score(evaluator):
    only_blue = evaluator.evaluate("mixing blue paint", rubric=RUBRIC)
    only_yellow = evaluator.evaluate("adding yellow dye", rubric=RUBRIC)
    assert only_blue.score == pytest.approx(2 / 3, abs=1e-3)
    assert only_yellow.score == pytest.approx(1 / 3, abs=1e-3)


def test_evaluate_many_keeps_order_and_returns_errors_in_place(evaluator):
    items = [
        EvaluationRequest("adding yellow dye", rubric=RUBRIC),
        EvaluationRequest("   ", rubric=RUBRIC),
        EvaluationRequest("anything", question_id="no-such-question"),
        EvaluationRequest("mixing blue paint", rubric=RUBRIC),
    ]
    results = evaluator.evaluate_many(items, return_errors=True)
    assert isinstance(results[1], EmptyAnswerError)
    assert isinstance(results[2], UnknownQuestionError)
    assert results[0].points[1].verdict == "covered"
    assert results[3].points[0].verdict == "covered"
    with pytest.raises(EmptyAnswerError):
        evaluator.evaluate_many(items)


def test_evaluate_many_encodes_segments_in_one_pass(hashing_embedder):
    evaluator = Evaluator(embedder=hashing_embedder, bank=load_bank(), cache_size=0)
    evaluator.evaluate("warm the rubric up", rubric=RUBRIC)
    hashing_embedder.calls.clear()
    evaluator.evaluate_many([EvaluationRequest(f"answer number {i}.", rubric=RUBRIC) for i in range(5)])
    assert len(hashing_embedder.calls) == 1
    assert len(hashing_embedder.calls[0]) == 5


def test_key_point_vectors_are_computed_once_per_rubric(hashing_embedder):
    evaluator = Evaluator(embedder=hashing_embedder, bank=load_bank(), cache_size=0)
    question = Question.model_validate(RUBRIC)
    for i in range(3):
        evaluator.evaluate(f"answer {i}", rubric=question)
    point_calls = [c for c in hashing_embedder.calls if c == ["mixing blue paint", "adding yellow dye"]]
    assert len(point_calls) == 1


def test_invalid_inline_rubric_names_the_field(evaluator):
    bad = {**RUBRIC, "key_points": [{"id": "a", "text": "fine text", "weight": -2}]}
    with pytest.raises(InvalidRubricError, match="key_points.0.weight"):
        evaluator.evaluate("some answer", rubric=bad)


def test_needs_a_question(evaluator):
    with pytest.raises(TypeError):
        evaluator.evaluate("an answer")


def test_evaluate_many_takes_dicts_as_json_gives_them(evaluator):
    as_dicts = evaluator.evaluate_many(
        [{"answer": "adding yellow dye", "rubric": RUBRIC}, {"answer": "x y z", "question_id": "fresher-01"}]
    )
    as_requests = evaluator.evaluate_many(
        [EvaluationRequest("adding yellow dye", rubric=RUBRIC), EvaluationRequest("x y z", question_id="fresher-01")]
    )
    assert as_dicts == as_requests


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"text": "an answer", "question_id": "fresher-01"}, "unknown field.*'text'"),
        ({"question_id": "fresher-01"}, "no 'answer'"),
        (["an answer", "fresher-01"], "EvaluationRequest or a dict, not list"),
    ],
)
def test_evaluate_many_names_what_is_wrong_with_a_malformed_item(evaluator, item, message):
    with pytest.raises(TypeError, match=message):
        evaluator.evaluate_many([item])


def test_a_new_embedder_is_used_for_answers_and_rubrics_alike(hashing_embedder, evaluator):
    evaluator.evaluate("adding yellow dye", rubric=RUBRIC)
    evaluator.embedder = hashing_embedder
    hashing_embedder.calls.clear()
    evaluator.evaluate("adding yellow dye", rubric=RUBRIC)
    texts = [t for call in hashing_embedder.calls for t in call]
    assert "adding yellow dye" in texts and "mixing blue paint" in texts  # the rubric is embedded again
