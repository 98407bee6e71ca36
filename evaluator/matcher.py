"""Matcher: answers -> segments -> one batched forward pass -> per-point features and similarities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluator.embedding import TokenEmbedder
from evaluator.lexical import content_stems, demote, function_word_ratio, overlap, question_stems
from evaluator.matching import best_segments, per_point, point_features
from evaluator.pooling import SegmentPooler
from evaluator.rubric_index import RubricIndex
from evaluator.segment import Segment, enclosing_sentences, segment_answer
from rubric import Question


@dataclass(frozen=True, slots=True)
class PreparedAnswer:
    """A checked answer, cut into segments, with the question's stems that demoted twins leave out."""

    question: Question
    answer: str
    segments: list[Segment]
    drop: frozenset[str]  # the question's content stems


@dataclass(frozen=True, slots=True)
class MatchDetails:
    """The measurements behind one result: per-point features, similarities, best segments."""

    question: Question
    segments: list[Segment]
    features: np.ndarray  # (points, len(FEATURE_NAMES))
    similarity: np.ndarray  # (phrasings, segments)
    point_similarity: np.ndarray  # (points, segments): each point's best phrasing
    best_segment: np.ndarray  # (points,)
    misconception_similarity: np.ndarray  # (misconceptions, segments)


def prepare_answer(question: Question, answer: str) -> PreparedAnswer:
    return PreparedAnswer(question, answer, segment_answer(answer), question_stems(question.text))


class Matcher:
    """Embeds the segments of many answers in one batched call and measures them against their rubrics.

    With an embedder that gives token vectors, segment vectors are pooled (evaluator.pooling): one
    pass per sentence and clause. Otherwise every segment and every demoted twin is a text of its own.
    `cache_size` texts' pooled sums are kept (0: none).
    """

    def __init__(self, index: RubricIndex, cache_size: int = 20_000) -> None:
        self.index = index
        self.cache_size = cache_size
        self._pooler: SegmentPooler | None = None

    def match(self, prepared: list[PreparedAnswer]) -> list[MatchDetails]:
        return [self._measure(p, *vectors) for p, vectors in zip(prepared, self._segment_vectors(prepared))]

    def _segment_vectors(self, prepared: list[PreparedAnswer]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each answer's segment vectors, as written and demoted."""
        embedder = self.index.embedder
        if isinstance(embedder, TokenEmbedder):
            pooler = self._pooler
            if pooler is None or pooler.embedder is not embedder:
                pooler = self._pooler = SegmentPooler(embedder, self.cache_size)
            return pooler.vectors([(p.segments, p.drop) for p in prepared])
        written = [[s.text for s in p.segments] for p in prepared]
        demoted = [[demote(t, p.drop) for t in texts] for p, texts in zip(prepared, written)]
        texts = list(dict.fromkeys(t for w, d in zip(written, demoted) for t in (*w, *d)))
        vectors = embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        row = {text: i for i, text in enumerate(texts)}
        return [(vectors[[row[t] for t in w]], vectors[[row[t] for t in d]]) for w, d in zip(written, demoted)]

    def _measure(self, p: PreparedAnswer, segment_vectors: np.ndarray, demoted_vectors: np.ndarray) -> MatchDetails:
        rubric = self.index.vectors(p.question)
        n_points = len(p.question.key_points)
        raw = rubric.vectors @ segment_vectors.T
        dem = rubric.demoted @ demoted_vectors.T
        answer_stems = content_stems(p.answer)
        lexical = np.zeros(n_points)
        np.maximum.at(lexical, rubric.owner, [overlap(s, answer_stems) for s in rubric.stems])
        # judged on whole sentences: a short clause of prose ("CNNs use max pooling") is no list of terms
        function_words = np.array([function_word_ratio(s.text) for s in enclosing_sentences(p.segments)])
        raw_points, dem_points = per_point(raw, rubric.owner, n_points), per_point(dem, rubric.owner, n_points)
        best = best_segments(raw_points, dem_points)
        return MatchDetails(
            question=p.question,
            segments=p.segments,
            features=point_features(raw_points, dem_points, lexical, function_words, best),
            similarity=raw,
            point_similarity=raw_points,
            best_segment=best,
            misconception_similarity=rubric.misconception_vectors @ segment_vectors.T,
        )
