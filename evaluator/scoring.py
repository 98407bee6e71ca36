"""Evaluator: segments an answer, embeds it, and matches it against a question's key points."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from evaluator.answer import MAX_ANSWER_CHARS, validate_answer
from evaluator.calibration import Calibration, default_calibration
from evaluator.contradiction import NEAR_BEST_SIMILARITY, ContradictionCue, find_contradiction
from evaluator.embedding import CachingEmbedder, Embedder, make_embedder
from evaluator.errors import EvaluatorError
from evaluator.lexical import (
    claim_stems,
    content_stems,
    demote,
    function_word_ratio,
    makes_edit,
    overlap,
    question_stems,
)
from evaluator.matching import (
    best_segments,
    coverage_probability,
    credit,
    edited_misconception_segment,
    misconception_segment,
    per_point,
    point_features,
    verdict_for,
    weighted_score,
)
from evaluator.results import EvaluationResult, Evidence, PointResult
from evaluator.segment import Segment, enclosing_sentences, segment_answer
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


# the claim stems a misconception adds to its nearest right text, those it takes away, and those
# no right text uses
Edit = tuple[frozenset[str], frozenset[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _RubricVectors:
    phrasings: tuple[str, ...]
    owner: np.ndarray  # phrasing index -> point index
    vectors: np.ndarray  # (phrasings, dim)
    demoted: np.ndarray  # the same, with the question's words taken out
    stems: tuple[frozenset[str], ...]  # content stems of each phrasing, question words taken out
    question_stems: frozenset[str]
    weights: np.ndarray
    misconceptions: tuple[str, ...]
    misconception_owner: np.ndarray  # misconception index -> point index
    misconception_vectors: np.ndarray  # (misconceptions, dim)
    misconception_anchor: np.ndarray  # each misconception's best cosine with the rubric's right texts
    misconception_stems: tuple[frozenset[str], ...]  # each one's content stems that no right text uses
    misconception_edits: tuple[Edit, ...]  # how each one edits its nearest right text (_edit)


@dataclass(frozen=True, slots=True)
class _Prepared:
    question: Question
    answer: str
    segments: list[Segment]
    demoted: list[str]


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


class Evaluator:
    """Scores answers against rubrics with a local sentence-transformer model.

    The model loads once, in the constructor; key-point vectors are computed once per rubric.
    Thread-safe: the API calls one Evaluator from many worker threads.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        bank: QuestionBank | None = None,
        calibration: Calibration | None = None,
        max_answer_chars: int = MAX_ANSWER_CHARS,
        cache_size: int = 20_000,
    ) -> None:
        base = embedder if embedder is not None else make_embedder()
        self.embedder = CachingEmbedder(base, cache_size) if cache_size else base
        self.model_name = base.name
        self.bank = bank if bank is not None else load_bank()
        self.calibration = calibration or default_calibration()
        self.max_answer_chars = max_answer_chars
        self._rubric_vectors: OrderedDict[Question, _RubricVectors] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Embed every bank question's key points now, so the first requests are fast;
        `should_stop` is asked between questions."""
        for question in self.bank.values():
            if should_stop():
                return
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

    def match_details(self, items: Iterable[EvaluationRequest]) -> list[MatchDetails]:
        """The features behind the scores of valid items (for calibration and diagnostics)."""
        return self._match([self._prepare(item) for item in items])

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
        segments = segment_answer(answer)
        drop = question_stems(question.text)
        return _Prepared(question, answer, segments, [demote(s.text, drop) for s in segments])

    def _match(self, prepared: list[_Prepared]) -> list[MatchDetails]:
        texts = list(dict.fromkeys(t for p in prepared for t in (*(s.text for s in p.segments), *p.demoted)))
        vectors = self.embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        row = {text: i for i, text in enumerate(texts)}
        details = []
        for p in prepared:
            rubric = self._vectors_for(p.question)
            n_points = len(p.question.key_points)
            segment_vectors = vectors[[row[s.text] for s in p.segments]]
            raw = rubric.vectors @ segment_vectors.T
            dem = rubric.demoted @ vectors[[row[t] for t in p.demoted]].T
            answer_stems = content_stems(p.answer)
            lexical = np.zeros(n_points)
            np.maximum.at(lexical, rubric.owner, [overlap(s, answer_stems) for s in rubric.stems])
            # judged on whole sentences: a short clause of prose ("CNNs use max pooling") is no list of terms
            function_words = np.array([function_word_ratio(s.text) for s in enclosing_sentences(p.segments)])
            raw_points, dem_points = per_point(raw, rubric.owner, n_points), per_point(dem, rubric.owner, n_points)
            best = best_segments(raw_points, dem_points)
            details.append(
                MatchDetails(
                    question=p.question,
                    segments=p.segments,
                    features=point_features(raw_points, dem_points, lexical, function_words, best),
                    similarity=raw,
                    point_similarity=raw_points,
                    best_segment=best,
                    misconception_similarity=rubric.misconception_vectors @ segment_vectors.T,
                )
            )
        return details

    def _score(self, prepared: list[_Prepared]) -> list[EvaluationResult]:
        return [self._result(d) for d in self._match(prepared)]

    def _result(self, d: MatchDetails) -> EvaluationResult:
        calibration = self.calibration
        rubric = self._vectors_for(d.question)
        probability = coverage_probability(d.features, calibration)
        scores = credit(probability, calibration)
        points = []
        for i, point in enumerate(d.question.key_points):
            verdict, evidence_segment = verdict_for(float(probability[i]), calibration), d.segments[d.best_segment[i]]
            cue = self.contradiction_in(i, d)
            if cue is not None:
                verdict, evidence_segment, scores[i] = "contradicted", cue[1], 0.0
            misconception = cue[0].detail if cue is not None and cue[0].kind == "misconception" else None
            evidence = None
            if verdict != "missed":
                evidence = Evidence(text=evidence_segment.text, start=evidence_segment.start, end=evidence_segment.end)
            points.append(
                PointResult(
                    id=point.id,
                    text=point.text,
                    weight=point.weight,
                    score=round(float(scores[i]), SCORE_DECIMALS),
                    similarity=round(float(d.features[i, 0]), SCORE_DECIMALS),
                    verdict=verdict,
                    evidence=evidence,
                    misconception=misconception,
                )
            )
        return EvaluationResult(
            question_id=d.question.id,
            score=round(weighted_score(scores, rubric.weights), SCORE_DECIMALS),
            points=tuple(points),
            missed=tuple(p.id for p in points if p.verdict == "missed"),
            contradicted=tuple(p.id for p in points if p.verdict == "contradicted"),
            model=self.model_name,
            evaluator_version=__version__,
        )

    def contradiction_in(
        self,
        point: int,
        d: MatchDetails,
        min_similarity: float | None = None,
        misconception: tuple[float, float] | None = None,
        edit: tuple[float, float, float] | None = None,
    ) -> tuple[ContradictionCue, Segment] | None:
        """A cue if a sentence or clause of the answer asserts the opposite of point `point`: one that
        matches it (nearly) best and denies it in words (every (phrasing, segment) pair within
        NEAR_BEST_SIMILARITY of the best is checked, best first), or one that states a misconception
        of it, in about its words or by making the edit that turns right text into it.

        `min_similarity`, `misconception` (similarity, margin) and `edit` (similarity, margin,
        closeness) override the calibrated values; math.inf as a similarity switches that check off."""
        calibration = self.calibration
        rubric = self._vectors_for(d.question)
        if min_similarity is None:
            min_similarity = calibration.contradiction_similarity
        if misconception is None:
            misconception = (calibration.misconception_similarity, calibration.misconception_margin)
        if edit is None:
            edit = (calibration.edit_similarity, calibration.edit_margin, calibration.edit_closeness)
        phrasings = np.flatnonzero(rubric.owner == point)
        candidates = [j for j, s in enumerate(d.segments) if s.kind != "pair"]
        if not candidates:
            return None
        sims = d.similarity[np.ix_(phrasings, candidates)]
        segments = [d.segments[j] for j in candidates]
        points = d.point_similarity[:, candidates]
        about_point = points[point] >= points.max(axis=0)  # segments this point matches best of all
        mine = np.flatnonzero(rubric.misconception_owner == point)
        stated = None
        if mine.size:  # checked first, as it names the misconception
            wrong = d.misconception_similarity[np.ix_(mine, candidates)]
            support = sims.max(axis=0)
            stated = _misconception(rubric, mine, segments, support, wrong, misconception, edit, about_point)
        return stated or _denial(rubric, phrasings, segments, sims, min_similarity, about_point)

    def _vectors_for(self, question: Question) -> _RubricVectors:
        with self._lock:
            cached = self._rubric_vectors.get(question)
            if cached is not None:
                self._rubric_vectors.move_to_end(question)
                return cached
        drop = question_stems(question.text)
        owner, phrasings = zip(*((i, t) for i, p in enumerate(question.key_points) for t in p.phrasings))
        demoted = [demote(t, drop) for t in phrasings]
        wrong = [t for p in question.key_points for t in p.misconceptions]
        wrong_owner = [i for i, p in enumerate(question.key_points) for _ in p.misconceptions]
        # text known to be right, whole and cut as answers are: the phrasings and the reference answer
        right = list(dict.fromkeys((*phrasings, *(
            s.text for t in (*phrasings, question.reference_answer or "") for s in segment_answer(t) if s.kind != "pair"
        ))))
        texts = list(dict.fromkeys((*phrasings, *demoted, *wrong, *right)))
        encoded = self.embedder.encode(texts)
        index = {t: i for i, t in enumerate(texts)}
        owner_of = np.array(owner, dtype=np.intp)
        point_vectors = encoded[[index[t] for t in phrasings]]
        wrong_vectors = encoded[[index[t] for t in wrong]].reshape(len(wrong), encoded.shape[1])
        right_vectors = encoded[[index[t] for t in right]]
        right_stems = frozenset().union(*(content_stems(t) for t in right))
        right_claims = frozenset().union(*(claim_stems(t) for t in right))
        to_right = wrong_vectors @ right_vectors.T
        nearest = [right[n] for n in to_right.argmax(axis=1)]
        vectors = _RubricVectors(
            phrasings=tuple(phrasings),
            owner=owner_of,
            vectors=point_vectors,
            demoted=encoded[[index[t] for t in demoted]],
            stems=tuple(content_stems(t, drop) for t in phrasings),
            question_stems=drop,
            weights=np.array([p.weight for p in question.key_points], dtype=np.float64),
            misconceptions=tuple(wrong),
            misconception_owner=np.array(wrong_owner, dtype=np.intp),
            misconception_vectors=wrong_vectors,
            misconception_anchor=to_right.max(axis=1, initial=-1.0),
            misconception_stems=tuple(content_stems(t) - right_stems for t in wrong),
            misconception_edits=tuple(_edit(t, r, right_claims) for t, r in zip(wrong, nearest)),
        )
        with self._lock:
            self._rubric_vectors[question] = vectors
            while len(self._rubric_vectors) > MAX_CACHED_RUBRICS:
                self._rubric_vectors.popitem(last=False)
        return vectors


def _denial(
    rubric: _RubricVectors,
    phrasings: np.ndarray,
    segments: list[Segment],
    sims: np.ndarray,
    min_similarity: float,
    about_point: np.ndarray,
) -> tuple[ContradictionCue, Segment] | None:
    """A segment that matches the point (nearly) best, at least `min_similarity`, and denies it in
    words; only in a segment `about_point` (one that another point matches better is about that one)."""
    floor = max(min_similarity, float(sims.max()) - NEAR_BEST_SIMILARITY)
    for flat in np.argsort(-sims, axis=None, kind="stable"):
        i, j = np.unravel_index(int(flat), sims.shape)
        if sims[i, j] < floor:
            break
        if not about_point[j]:
            continue
        cue = find_contradiction(rubric.phrasings[phrasings[i]], segments[j].text)
        if cue:
            return cue, segments[j]
    return None


def _misconception(
    rubric: _RubricVectors,
    mine: np.ndarray,
    segments: list[Segment],
    support: np.ndarray,
    wrong: np.ndarray,
    misconception: tuple[float | None, float],
    edit: tuple[float | None, float, float],
    about_point: np.ndarray,
) -> tuple[ContradictionCue, Segment] | None:
    """A segment that states one of the point's misconceptions `mine`, in about its words
    (matching.misconception_segment) or by making its edit (matching.edited_misconception_segment:
    for misconceptions at least `closeness` similar to a right text, near-minimal edits of it, where
    the words that differ are the evidence, in a segment `about_point`); `wrong` holds their cosines
    with `segments`, `support` the point's."""
    found = None
    if misconception[0] is not None:
        # the segment must also use a word of the misconception that no right text uses, where it has one
        segment_stems = [content_stems(s.text) for s in segments]
        worded = np.array([[not rubric.misconception_stems[k] or bool(rubric.misconception_stems[k] & stems)
                            for stems in segment_stems] for k in mine])
        found = misconception_segment(
            support, np.where(worded, wrong, -1.0), rubric.misconception_anchor[mine], *misconception
        )
    if found is None and edit[0] is not None:
        claims = [claim_stems(s.text) for s in segments]
        similarity, margin, closeness = edit
        edits = [rubric.misconception_edits[k] if rubric.misconception_anchor[k] >= closeness else None for k in mine]
        edited = np.array([[e is not None and makes_edit(*e, c) for c in claims] for e in edits])
        found = edited_misconception_segment(support, wrong, edited & about_point, similarity, margin)
    if found is None:
        return None
    k, j = found
    return ContradictionCue("misconception", rubric.misconceptions[mine[k]]), segments[j]


def _edit(wrong: str, right: str, right_claims: frozenset[str]) -> Edit:
    """How misconception `wrong` edits its nearest right text `right`: the claim stems it adds, those
    it takes away, and those that no right text (`right_claims`) uses."""
    mine, theirs = claim_stems(wrong), claim_stems(right)
    return mine - theirs, theirs - mine, mine - right_claims
