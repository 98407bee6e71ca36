"""ContradictionFinder: which sentence of an answer, if any, asserts the opposite of a key point.

Two kinds of evidence, checked on the segments the bi-encoder ties to the point:
- the rubric's own misconceptions of the point, stated in about their words or made by the word
  edit that turns right text into them (matching.misconception_segment, edited_misconception_segment);
- a sentence judge (evaluator.judge.ContradictionJudge) reading the point and each segment that
  matches it (nearly) best, at least `similarity` close, and that no other point matches better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluator.calibration import ContradictionThresholds
from evaluator.judge import Conflict, ContradictionJudge, read_ahead
from evaluator.lexical import claim_stems, content_stems, makes_edit
from evaluator.matcher import MatchDetails
from evaluator.matching import edited_misconception_segment, misconception_segment
from evaluator.rubric_index import RubricIndex, RubricVectors
from evaluator.segment import Segment

# The word judge reads every segment whose similarity to a point is this close to the best one's.
# 0.05 raised recall on the calibration questions (0.17 -> 0.24) but flagged the contrast clause of
# correct answers ("a shallow network has one hidden layer", point: deep networks stack many): 0.
NEAR_BEST_SIMILARITY = 0.0


@dataclass(frozen=True, slots=True)
class Reading:
    """A sentence judge and the segments it reads for a point: those the point matches better than
    any other point does, at least `min_similarity` close (None: the calibrated contradiction
    similarity), and within `near_best` of the point's best match."""

    judge: ContradictionJudge
    min_similarity: float | None = None
    near_best: float = NEAR_BEST_SIMILARITY


class ContradictionFinder:
    def __init__(
        self, index: RubricIndex, readings: Sequence[Reading], thresholds: ContradictionThresholds
    ) -> None:
        self.index = index
        self.readings = tuple(readings)
        self.thresholds = thresholds

    def find(
        self, point: int, d: MatchDetails, thresholds: ContradictionThresholds | None = None
    ) -> tuple[Conflict, Segment] | None:
        """The conflict and the segment that states it, for key point `point` of `d`'s question."""
        t = thresholds or self.thresholds
        scope = self._scope(point, d)
        if scope is None:
            return None
        rubric, segments, sims = scope.rubric, scope.segments, scope.sims
        mine = np.flatnonzero(rubric.misconception_owner == point)
        if mine.size:  # checked first, as it names the misconception
            wrong = d.misconception_similarity[np.ix_(mine, scope.candidates)]
            stated = _misconception(rubric, mine, segments, sims.max(axis=0), wrong, t, scope.about_point)
            if stated is not None:
                return stated
        for reading in self.readings:
            pairs, where = scope.asked(reading, t)
            for conflict, j in zip(reading.judge.judge(pairs) if pairs else [], where):
                if conflict is not None:
                    return conflict, segments[j]
        return None

    def read_ahead(self, details: Sequence[MatchDetails]) -> None:
        """Have each judge read, in one go, every sentence of these answers that `find` may ask it
        about (a parse is cheaper by the batch); the results do not change."""
        scopes = [self._scope(point, d) for d in details for point in range(len(d.question.key_points))]
        for reading in self.readings:
            pairs = [pair for s in scopes if s is not None for pair in s.asked(reading, self.thresholds)[0]]
            read_ahead(reading.judge, sentences=list(dict.fromkeys(sentence for _, sentence in pairs)))

    def _scope(self, point: int, d: MatchDetails) -> _Scope | None:
        rubric = self.index.vectors(d.question)
        phrasings = np.flatnonzero(rubric.owner == point)
        candidates = [j for j, s in enumerate(d.segments) if s.kind != "pair"]
        if not candidates:
            return None
        points = d.point_similarity[:, candidates]
        return _Scope(
            rubric=rubric,
            phrasings=phrasings,
            candidates=candidates,
            segments=[d.segments[j] for j in candidates],
            sims=d.similarity[np.ix_(phrasings, candidates)],
            about_point=points[point] >= points.max(axis=0),
        )


@dataclass(frozen=True, slots=True)
class _Scope:
    """What the checks of one point read: its phrasings, the answer's sentences and clauses (`candidates`
    are their indices), their similarities, and which of them the point matches better than any other."""

    rubric: RubricVectors
    phrasings: np.ndarray
    candidates: list[int]
    segments: list[Segment]
    sims: np.ndarray  # (phrasings, segments)
    about_point: np.ndarray

    def asked(self, reading: Reading, t: ContradictionThresholds) -> tuple[list[tuple[str, str]], list[int]]:
        """The (phrasing, segment) pairs the reading's judge reads, best-matching first: at least its
        similarity floor close, on segments about the point; and each pair's segment."""
        min_similarity = t.similarity if reading.min_similarity is None else reading.min_similarity
        floor = max(min_similarity, float(self.sims.max()) - reading.near_best)
        pairs, where = [], []
        for flat in np.argsort(-self.sims, axis=None, kind="stable"):
            i, j = np.unravel_index(int(flat), self.sims.shape)
            if self.sims[i, j] < floor:
                break
            if self.about_point[j]:
                pairs.append((self.rubric.phrasings[self.phrasings[i]], self.segments[j].text))
                where.append(j)
        return pairs, where


def _misconception(
    rubric: RubricVectors,
    mine: np.ndarray,
    segments: list[Segment],
    support: np.ndarray,
    wrong: np.ndarray,
    t: ContradictionThresholds,
    about_point: np.ndarray,
) -> tuple[Conflict, Segment] | None:
    """A segment that states one of the point's misconceptions `mine`, in about its words, or by
    making its edit (for misconceptions at least `edit_closeness` similar to a right text, where the
    words that differ are the evidence, in a segment `about_point`); `wrong` holds their cosines with
    `segments`, `support` the point's."""
    found = None
    if t.misconception_similarity is not None:
        # the segment must also use a word of the misconception that no right text uses, where it has one
        segment_stems = [content_stems(s.text) for s in segments]
        worded = np.array(
            [
                [
                    not rubric.misconception_stems[k] or bool(rubric.misconception_stems[k] & stems)
                    for stems in segment_stems
                ]
                for k in mine
            ]
        )
        found = misconception_segment(
            support,
            np.where(worded, wrong, -1.0),
            rubric.misconception_anchor[mine],
            t.misconception_similarity,
            t.misconception_margin,
        )
    if found is None and t.edit_similarity is not None:
        claims = [claim_stems(s.text) for s in segments]
        edits = [
            rubric.misconception_edits[k] if rubric.misconception_anchor[k] >= t.edit_closeness else None
            for k in mine
        ]
        edited = np.array([[e is not None and makes_edit(*e, c) for c in claims] for e in edits])
        found = edited_misconception_segment(
            support, wrong, edited & about_point, t.edit_similarity, t.edit_margin
        )
    if found is None:
        return None
    k, j = found
    return Conflict("misconception", rubric.misconceptions[mine[k]]), segments[j]
