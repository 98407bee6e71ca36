"""Pure numpy: similarity matrices and word overlap -> per-point features, credit and verdicts."""

from __future__ import annotations

from typing import Literal

import numpy as np

from evaluator.calibration import Calibration

Verdict = Literal["covered", "partial", "missed", "contradicted"]


def per_point(per_phrasing: np.ndarray, owner: np.ndarray, n_points: int) -> np.ndarray:
    """Collapse (phrasings x segments) cosines to (points x segments), each point's best phrasing.

    `owner[i]` is the point that phrasing i belongs to.
    """
    result = np.full((n_points, per_phrasing.shape[1]), -1.0, dtype=np.float32)
    np.maximum.at(result, owner, per_phrasing)
    return result


def best_segments(similarity: np.ndarray, demoted: np.ndarray) -> np.ndarray:
    """For each point, the segment that matches it best on both similarities together."""
    return np.argmax(similarity + demoted, axis=1)


def point_features(
    similarity: np.ndarray,
    demoted: np.ndarray,
    lexical: np.ndarray,
    function_words: np.ndarray,
    best: np.ndarray,
) -> np.ndarray:
    """(points x 4): best similarity, best demoted similarity, word overlap, and the share of
    function words (`function_words`, per segment) in each point's best segment `best` (a bare
    list of terms has almost none)."""
    return np.column_stack(
        [similarity.max(axis=1), demoted.max(axis=1), lexical, function_words[best]]
    ).astype(np.float64)


def misconception_segment(
    support: np.ndarray, wrong: np.ndarray, anchor: np.ndarray, min_similarity: float, margin: float
) -> tuple[int, int] | None:
    """(misconception, segment) where the answer states one of a point's misconceptions, or None.

    `support[j]` is the point's cosine with segment j, `wrong[k, j]` misconception k's, `anchor[k]`
    misconception k's best cosine with text known to be right (the rubric's points and reference
    answer). A segment states misconception k when it is at least `min_similarity` close to it,
    `margin` closer to it than to the point, closer to it than any right text is (a paraphrase of
    right text sits about as close as that text), and closer to it than any segment is to the point
    (an answer that also states the point plainly is not taken to deny it).
    """
    stating = (wrong >= min_similarity) & (wrong - support >= margin) & (wrong > anchor[:, None])
    stating &= wrong > support.max(initial=-1.0)
    if not stating.any():
        return None
    k, j = np.unravel_index(int(np.argmax(np.where(stating, wrong, -np.inf))), wrong.shape)
    return int(k), int(j)


def edited_misconception_segment(
    support: np.ndarray,
    wrong: np.ndarray,
    makes_edit: np.ndarray,
    min_similarity: float,
    margin: float,
) -> tuple[int, int] | None:
    """(misconception, segment) where a segment makes the edit that turns right text into one of a
    point's misconceptions, or None: segment j makes misconception k's word edit (`makes_edit[k, j]`,
    see lexical.makes_edit), and is at least `min_similarity` close to k (`wrong[k, j]`), while no
    segment is more than `-margin` closer to the point (`support`) than j is to k (an answer that
    states the point plainly elsewhere is not taken to deny it). This finds misconceptions that sit
    too close to a right statement for the embedding alone to tell apart ("more parameters" for
    "fewer parameters").
    """
    stating = makes_edit & (wrong >= min_similarity) & (wrong - support.max(initial=-1.0) >= margin)
    if not stating.any():
        return None
    k, j = np.unravel_index(int(np.argmax(np.where(stating, wrong, -np.inf))), wrong.shape)
    return int(k), int(j)


def coverage_probability(features: np.ndarray, calibration: Calibration) -> np.ndarray:
    """The fitted logistic model: probability that each point is covered."""
    logits = features @ np.asarray(calibration.weights) + calibration.bias
    if calibration.interactions:
        logits = logits + np.einsum("pi,ij,pj->p", features, np.asarray(calibration.interactions), features)
    return 1.0 / (1.0 + np.exp(-logits))


def credit(probability: np.ndarray | float, calibration: Calibration) -> np.ndarray:
    """Linear ramp from 0 at `no_credit` to 1 at `full_credit`."""
    span = calibration.full_credit - calibration.no_credit
    return np.clip((np.asarray(probability) - calibration.no_credit) / span, 0.0, 1.0)


def verdict_for(probability: float, calibration: Calibration) -> Verdict:
    if probability >= calibration.covered:
        return "covered"
    if probability > calibration.partial:
        return "partial"
    return "missed"


def weighted_score(scores: np.ndarray | list[float], weights: np.ndarray | list[float]) -> float:
    """Weighted mean of the point scores, in [0, 1]."""
    w = np.asarray(weights, dtype=np.float64)
    return float(np.dot(np.asarray(scores, dtype=np.float64), w) / w.sum())
