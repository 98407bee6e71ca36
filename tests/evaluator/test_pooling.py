"""Segment vectors pooled from token vectors (evaluator.pooling): pairs from their sentences' passes,
demoted twins without the question's words, one model call per batch, the cache; and, on the real
model, that pooling reproduces the model's own sentence vectors and the backends agree."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashingEmbedder, HashingTokenEmbedder

from evaluator import Evaluator
from evaluator.embedding import TokenEmbedder, make_embedder
from evaluator.lexical import question_stems
from evaluator.pooling import SegmentPooler
from evaluator.segment import segment_answer

ANSWER = "Dropout zeroes random units during training. It reduces overfitting of the network."
DROP = question_stems("What is dropout and why does it help?")


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def token_sum(embedder: HashingTokenEmbedder, text: str, leave_out: tuple[str, ...] = ()) -> np.ndarray:
    (tokens,) = embedder.token_vectors([text])
    keep = [not any(text[a:b].lower() == w for w in leave_out) or b == 0 for a, b in tokens.offsets]
    return tokens.hidden[keep].sum(axis=0)


def test_a_pair_is_pooled_from_its_two_sentences_and_a_twin_leaves_question_words_out():
    embedder = HashingTokenEmbedder()
    segments = segment_answer(ANSWER)
    assert [s.kind for s in segments] == ["sentence", "sentence", "pair"]
    ((raw, demoted),) = SegmentPooler(embedder).vectors([(segments, DROP)])
    first, second = segments[0].text, segments[1].text
    assert np.allclose(raw[0], embedder.encode([first])[0], atol=1e-6)  # a sentence: its own pass
    assert np.allclose(raw[2], unit(token_sum(embedder, first) + token_sum(embedder, second)), atol=1e-6)
    assert not np.allclose(raw[2], embedder.encode([segments[2].text])[0], atol=1e-3)  # [CLS]/[SEP] twice
    assert np.allclose(demoted[0], unit(token_sum(embedder, first, ("dropout",))), atol=1e-6)
    assert np.allclose(demoted[1], raw[1])  # no question word in it: the twin is the sentence
    pair_twin = unit(token_sum(embedder, first, ("dropout",)) + token_sum(embedder, second))
    assert np.allclose(demoted[2], pair_twin, atol=1e-6)


def test_a_twin_with_no_content_word_left_is_the_text_itself():
    embedder = HashingTokenEmbedder()
    segments = segment_answer("It is dropout.")
    ((raw, demoted),) = SegmentPooler(embedder).vectors([(segments, DROP)])
    assert np.array_equal(raw, demoted)


def test_one_model_call_per_batch_and_cached_sums_are_not_computed_again():
    embedder = HashingTokenEmbedder()
    pooler = SegmentPooler(embedder, max_entries=3)
    answers = [(segment_answer(ANSWER), DROP), (segment_answer("Dropout helps. It regularises."), DROP)]
    first = pooler.vectors(answers)
    assert len(embedder.token_calls) == 1 and len(embedder.token_calls[0]) == 4  # sentences only, no pairs
    assert len(pooler._cache) == 3  # bounded
    again = pooler.vectors(answers[1:])
    assert embedder.token_calls[1:] == []  # both of its sentences were among the three kept
    assert all(np.array_equal(a, b) for a, b in zip(first[1], again[0]))
    pooler.vectors([(segment_answer(ANSWER), frozenset())])  # another question: its own sums
    assert len(embedder.token_calls) == 2


def test_the_evaluator_pools_when_it_can_and_encodes_every_text_when_it_cannot(tmp_path):
    pooled, plain = HashingTokenEmbedder(), HashingEmbedder()
    assert isinstance(pooled, TokenEmbedder) and not isinstance(plain, TokenEmbedder)
    rubric = {
        "id": "q",
        "text": "What is dropout?",
        "key_points": [{"id": "p", "text": "Dropout zeroes units."}],
    }
    for embedder in (pooled, plain):
        result = Evaluator(embedder=embedder, bank={}).evaluate(ANSWER, rubric=rubric)
        assert result.points[0].evidence
    answer_calls = [c for c in plain.calls if any(ANSWER[:20] in t for t in c)]
    assert len(answer_calls) == 1 and ANSWER in answer_calls[0]  # the pair, encoded as a text of its own
    assert pooled.token_calls and not any(ANSWER in t for c in pooled.calls for t in c)


@pytest.mark.model
def test_pooling_gives_the_models_sentence_vectors_and_the_backends_agree():
    onnx, torch = make_embedder("onnx"), make_embedder("torch")
    texts = [ANSWER, "Batch normalisation normalises each mini-batch, then scales and shifts it.", "ok"]
    for embedder in (onnx, torch):
        segments = [s for t in texts for s in segment_answer(t) if s.kind == "sentence"]
        vectors = SegmentPooler(embedder).vectors([([s], frozenset()) for s in segments])
        pooled = np.stack([raw[0] for raw, _ in vectors])
        assert float(np.abs(pooled - embedder.encode([s.text for s in segments])).max()) < 1e-5
    a, b = onnx.token_vectors(texts), torch.token_vectors(texts)
    for x, y in zip(a, b):
        assert np.array_equal(x.offsets, y.offsets)
        assert float(np.abs(x.hidden - y.hidden).max()) < 1e-3
