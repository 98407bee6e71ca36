"""The bounded answer-text cache sits on the scoring hot path: repeats never reach the model."""

from __future__ import annotations

from evaluator import CachingEmbedder, EvaluationRequest, Evaluator
from rubric import load_bank

FIRST = "Deep learning stacks many layers. Each layer learns features from raw data."
SECOND = "Deep learning stacks many layers. Classical methods need features made by hand."


def _warm(evaluator: Evaluator, embedder) -> None:  # type: ignore[no-untyped-def]
    evaluator.evaluate("warm the rubric vectors", question_id="fresher-01")
    embedder.calls.clear()


def test_a_repeated_answer_is_not_encoded_again(hashing_embedder):
    evaluator = Evaluator(embedder=hashing_embedder, bank=load_bank())
    assert isinstance(evaluator.embedder, CachingEmbedder)
    _warm(evaluator, hashing_embedder)
    first = evaluator.evaluate(FIRST, question_id="fresher-01")
    assert len(hashing_embedder.calls) == 1
    again = evaluator.evaluate(FIRST, question_id="fresher-01")
    assert len(hashing_embedder.calls) == 1  # all from the cache
    assert again == first


def test_only_texts_not_seen_before_reach_the_model(hashing_embedder):
    evaluator = Evaluator(embedder=hashing_embedder, bank=load_bank())
    _warm(evaluator, hashing_embedder)
    evaluator.evaluate(FIRST, question_id="fresher-01")
    evaluator.evaluate_many([EvaluationRequest(SECOND, "fresher-01"), EvaluationRequest(FIRST, "fresher-01")])
    [fresh] = hashing_embedder.calls[1:]
    assert "Deep learning stacks many layers." not in fresh  # shared sentence: cached
    assert "Classical methods need features made by hand." in fresh


def test_the_cache_is_bounded_and_changes_no_result(hashing_embedder):
    cached = Evaluator(embedder=hashing_embedder, bank=load_bank(), cache_size=40)
    plain = Evaluator(embedder=hashing_embedder, bank=load_bank(), cache_size=0)
    answers = [f"Answer {i} says layers learn feature number {i}. It adds point {i * 7}." for i in range(30)]
    for answer in answers + answers[:5]:
        assert cached.evaluate(answer, question_id="fresher-01") == plain.evaluate(answer, question_id="fresher-01")
    assert len(cached.embedder) <= 40
