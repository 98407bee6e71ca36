"""Pure numpy: key-point and segment vectors -> per-point similarity, score, verdict, evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from evaluator.calibration import Calibration

Verdict = Literal["covered", "partial", "missed"]


@dataclass(frozen=True, slots=True)
class PointMatch:
    """How well one key point is matched: its best segment (None if no segments) and verdict."""

    similarity: float
    score: float
    verdict: Verdict
    segment: int | None


def point_similarities(
    phrasing_vectors: np.ndarray, phrasing_owner: np.ndarray, segment_vectors: np.ndarray, n_points: int
) -> np.ndarray:
    """(points x segments) cosine of each point's best phrasing with each segment.

    Vectors are unit length, so cosine is a dot product; `phrasing_owner[i]` is the point that
    phrasing i belongs to.
    """
    if segment_vectors.shape[0] == 0:
        return np.zeros((n_points, 0), dtype=np.float32)
    per_phrasing = phrasing_vectors @ segment_vectors.T
    result = np.full((n_points, segment_vectors.shape[0]), -1.0, dtype=np.float32)
    np.maximum.at(result, phrasing_owner, per_phrasing)
    return result


def credit(similarity: np.ndarray | float, calibration: Calibration) -> np.ndarray:
    """Linear ramp of similarity to credit in [0, 1]."""
    span = calibration.full_credit - calibration.no_credit
    return np.clip((np.asarray(similarity) - calibration.no_credit) / span, 0.0, 1.0)


def verdict_for(similarity: float, calibration: Calibration) -> Verdict:
    if similarity >= calibration.covered:
        return "covered"
    if similarity >= calibration.partial:
        return "partial"
    return "missed"


def match_points(similarities: np.ndarray, calibration: Calibration) -> list[PointMatch]:
    """For each point (row), its best segment (column), similarity, credit and verdict."""
    matches = []
    for row in similarities:
        if row.size == 0:
            matches.append(PointMatch(0.0, 0.0, "missed", None))
            continue
        best = int(np.argmax(row))
        similarity = float(row[best])
        matches.append(
            PointMatch(
                similarity=similarity,
                score=float(credit(similarity, calibration)),
                verdict=verdict_for(similarity, calibration),
                segment=best,
            )
        )
    return matches


def weighted_score(scores: np.ndarray | list[float], weights: np.ndarray | list[float]) -> float:
    """Weighted mean of the point scores, in [0, 1]."""
    w = np.asarray(weights, dtype=np.float64)
    return float(np.dot(np.asarray(scores, dtype=np.float64), w) / w.sum())
