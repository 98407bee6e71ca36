"""Evaluator: segments an answer, embeds it, and matches it against a question's key points."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from evaluator.answer import MAX_ANSWER_CHARS, validate_answer
from evaluator.calibration import DEFAULT_CALIBRATION, Calibration
from evaluator.embedding import CachingEmbedder, Embedder, SentenceTransformerEmbedder
from evaluator.errors import EvaluatorError
from evaluator.matching import match_points, point_similarities, weighted_score
from evaluator.results import EvaluationResult, Evidence, PointResult
from evaluator.segment import Segment, segment_answer
from evaluator.version import __version__
from rubric import Question, QuestionBank, RubricError, load_bank, parse_question

SCORE_DECIMALS = 4
MAX_CACHED_RUBRICS = 512


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    """One answer to score, against a bank question (by id) or an inline rubric."""

    answer: str | bytes
    question_id: str | None = None
    rubric: Question | Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class _RubricVectors:
    phrasings: np.ndarray  # (n_phrasings, dim)
    owner: np.ndarray  # phrasing -> point index
    weights: np.ndarray


@dataclass(frozen=True, slots=True)
class _Prepared:
    question: Question
    answer: str
    segments: list[Segment]


class Evaluator:
    """Scores answers against rubrics with a local sentence-transformer model.

    The model loads once, in the constructor; key-point vectors are computed once per rubric.
    Thread-safe: the API calls one Evaluator from many worker threads.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        bank: QuestionBank | None = None,
        calibration: Calibration = DEFAULT_CALIBRATION,
        max_answer_chars: int = MAX_ANSWER_CHARS,
        cache_size: int = 20_000,
    ) -> None:
        base = embedder if embedder is not None else SentenceTransformerEmbedder()
        self.embedder = CachingEmbedder(base, cache_size) if cache_size else base
        self.model_name = base.name
        self.bank = bank if bank is not None else load_bank()
        self.calibration = calibration
        self.max_answer_chars = max_answer_chars
        self._rubric_vectors: OrderedDict[Question, _RubricVectors] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Embed every bank question's key points now, so the first requests are fast."""
        for question in self.bank.values():
            self._vectors_for(question)

    def evaluate(
        self,
        answer: str | bytes,
        *,
        question_id: str | None = None,
        rubric: Question | Mapping[str, object] | None = None,
    ) -> EvaluationResult:
        """Score one answer against a bank question (by id) or an inline rubric."""
        prepared = self._prepare(EvaluationRequest(answer, question_id, rubric))
        return self._score([prepared])[0]

    def evaluate_many(
        self, items: Iterable[EvaluationRequest], *, return_errors: bool = False
    ) -> list[EvaluationResult | EvaluatorError | RubricError]:
        """Score many answers with batched forward passes, results in input order.

        An invalid item raises, or with `return_errors=True` takes its error's place in the list.
        """
        slots: list[_Prepared | EvaluatorError | RubricError] = []
        for item in items:
            try:
                slots.append(self._prepare(item))
            except (EvaluatorError, RubricError) as exc:
                if not return_errors:
                    raise
                slots.append(exc)
        valid = [s for s in slots if isinstance(s, _Prepared)]
        scored = iter(self._score(valid))
        return [next(scored) if isinstance(s, _Prepared) else s for s in slots]

    def resolve(
        self, question_id: str | None = None, rubric: Question | Mapping[str, object] | None = None
    ) -> Question:
        """The question to score against: the inline rubric if given, else the bank's question."""
        if rubric is not None:
            return rubric if isinstance(rubric, Question) else parse_question(dict(rubric))
        if question_id is None:
            raise TypeError("give a question_id or a rubric")
        return self.bank.get(question_id)

    def _prepare(self, item: EvaluationRequest) -> _Prepared:
        question = self.resolve(item.question_id, item.rubric)
        answer = validate_answer(item.answer, self.max_answer_chars)
        return _Prepared(question, answer, segment_answer(answer))

    def _score(self, prepared: list[_Prepared]) -> list[EvaluationResult]:
        texts = list(dict.fromkeys(seg.text for p in prepared for seg in p.segments))
        vectors = self.embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        row = {text: i for i, text in enumerate(texts)}
        results = []
        for p in prepared:
            rubric = self._vectors_for(p.question)
            segment_vectors = vectors[[row[s.text] for s in p.segments]]
            similarities = point_similarities(
                rubric.phrasings, rubric.owner, segment_vectors, len(p.question.key_points)
            )
            results.append(self._result(p, match_points(similarities, self.calibration), rubric))
        return results

    def _result(self, p: _Prepared, matches: list, rubric: _RubricVectors) -> EvaluationResult:
        points = []
        for point, match in zip(p.question.key_points, matches):
            evidence = None
            if match.verdict != "missed" and match.segment is not None:
                seg = p.segments[match.segment]
                evidence = Evidence(text=seg.text, start=seg.start, end=seg.end)
            points.append(
                PointResult(
                    id=point.id,
                    text=point.text,
                    weight=point.weight,
                    score=round(match.score, SCORE_DECIMALS),
                    similarity=round(match.similarity, SCORE_DECIMALS),
                    verdict=match.verdict,
                    evidence=evidence,
                )
            )
        total = weighted_score([m.score for m in matches], rubric.weights)
        return EvaluationResult(
            question_id=p.question.id,
            score=round(total, SCORE_DECIMALS),
            points=tuple(points),
            missed=tuple(pt.id for pt in points if pt.verdict == "missed"),
            model=self.model_name,
            evaluator_version=__version__,
        )

    def _vectors_for(self, question: Question) -> _RubricVectors:
        with self._lock:
            cached = self._rubric_vectors.get(question)
            if cached is not None:
                self._rubric_vectors.move_to_end(question)
                return cached
        phrasings = [(i, text) for i, point in enumerate(question.key_points) for text in point.phrasings]
        vectors = _RubricVectors(
            phrasings=self.embedder.encode([text for _, text in phrasings]),
            owner=np.array([i for i, _ in phrasings], dtype=np.intp),
            weights=np.array([p.weight for p in question.key_points], dtype=np.float64),
        )
        with self._lock:
            self._rubric_vectors[question] = vectors
            while len(self._rubric_vectors) > MAX_CACHED_RUBRICS:
                self._rubric_vectors.popitem(last=False)
        return vectors
