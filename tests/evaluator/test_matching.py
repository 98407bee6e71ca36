from __future__ import annotations

import numpy as np
import pytest

from evaluator.calibration import Calibration
from evaluator.matching import credit, match_points, point_similarities, verdict_for, weighted_score

CAL = Calibration(no_credit=0.2, full_credit=0.6, partial=0.4, covered=0.5)


def test_point_similarity_takes_the_best_phrasing():
    phrasings = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    owner = np.array([0, 0, 1])
    segments = np.array([[1, 0], [0, 1]], dtype=np.float32)
    sims = point_similarities(phrasings, owner, segments, n_points=2)
    np.testing.assert_allclose(sims, [[1, 1], [0.6, 0.8]], rtol=1e-6)


def test_no_segments_means_all_missed():
    sims = point_similarities(np.eye(2, dtype=np.float32), np.array([0, 1]), np.zeros((0, 2), np.float32), 2)
    assert [m.verdict for m in match_points(sims, CAL)] == ["missed", "missed"]


def test_credit_is_a_clipped_linear_ramp():
    np.testing.assert_allclose(credit(np.array([0.1, 0.2, 0.4, 0.6, 0.9]), CAL), [0, 0, 0.5, 1, 1])


@pytest.mark.parametrize(("sim", "verdict"), [(0.39, "missed"), (0.4, "partial"), (0.5, "covered")])
def test_verdict_bands(sim, verdict):
    assert verdict_for(sim, CAL) == verdict


def test_match_points_picks_the_best_segment():
    sims = np.array([[0.1, 0.55, 0.3], [0.45, 0.2, 0.1]], dtype=np.float32)
    first, second = match_points(sims, CAL)
    assert (first.segment, first.verdict) == (1, "covered")
    assert (second.segment, second.verdict) == (0, "partial")
    assert first.score == pytest.approx(0.875)


def test_weighted_score():
    assert weighted_score([1.0, 0.0, 0.5], [2, 1, 2]) == pytest.approx(0.6)


def test_calibration_must_be_ordered():
    with pytest.raises(ValueError):
        Calibration(no_credit=0.6, full_credit=0.5, partial=0.4, covered=0.5)
