from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evaluator.calibration import Calibration, default_calibration, load_calibration
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

CAL = Calibration(
    weights=(1.0, 2.0, 0.0, 0.0), bias=-1.0, no_credit=0.2, full_credit=0.6, partial=0.4, covered=0.6, contradiction_similarity=0.5
)


def test_per_point_keeps_each_points_best_phrasing():
    per_phrasing = np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.4]], dtype=np.float32)
    result = per_point(per_phrasing, np.array([0, 0, 1]), n_points=2)
    np.testing.assert_allclose(result, [[0.5, 0.9], [0.3, 0.4]])


def test_best_segment_uses_both_similarities():
    raw = np.array([[0.9, 0.5]])
    demoted = np.array([[0.1, 0.6]])
    assert best_segments(raw, demoted).tolist() == [1]


def test_point_features_columns():
    raw = np.array([[0.2, 0.8], [0.5, 0.1]])
    demoted = np.array([[0.1, 0.7], [0.4, 0.0]])
    best = best_segments(raw, demoted)
    assert best.tolist() == [1, 0]
    features = point_features(raw, demoted, np.array([0.5, 1.0]), np.array([0.3, 0.45]), best)
    np.testing.assert_allclose(features, [[0.8, 0.7, 0.5, 0.45], [0.5, 0.4, 1.0, 0.3]])


def test_coverage_probability_is_the_logistic_of_the_linear_score():
    p = coverage_probability(np.array([[0.5, 0.25, 9.0, 9.0]]), CAL)
    assert p[0] == pytest.approx(0.5)


def test_coverage_probability_adds_the_pairwise_products():
    # logit = 1*0.5 + 2*0.25 - 1 + 4*0.5*0.25 = 0.5
    interactions = tuple(tuple(4.0 if (i, j) == (0, 1) else 0.0 for j in range(4)) for i in range(4))
    p = coverage_probability(np.array([[0.5, 0.25, 9.0, 9.0]]), replace(CAL, interactions=interactions))
    assert p[0] == pytest.approx(1 / (1 + np.exp(-0.5)))


def test_calibration_round_trips_through_json(tmp_path):
    interactions = tuple(tuple(float(i * 4 + j) if i <= j else 0.0 for j in range(4)) for i in range(4))
    calibration = replace(CAL, interactions=interactions)
    path = tmp_path / "calibration.json"
    path.write_text(calibration.to_json(fitted="test"), encoding="utf-8")
    assert load_calibration(path) == calibration


def test_credit_is_a_clipped_linear_ramp():
    np.testing.assert_allclose(credit(np.array([0.1, 0.2, 0.4, 0.6, 0.9]), CAL), [0, 0, 0.5, 1, 1])


@pytest.mark.parametrize(
    ("p", "verdict"), [(0.39, "missed"), (0.4, "missed"), (0.41, "partial"), (0.6, "covered")]
)
def test_verdict_bands(p, verdict):
    assert verdict_for(p, CAL) == verdict


@pytest.mark.parametrize("fitted", [replace(CAL, partial=CAL.no_credit), default_calibration()])
def test_a_partial_verdict_is_one_that_earns_some_credit_but_not_all(fitted):
    for p in np.round(np.arange(0.0, 1.0, 0.005), 3):
        earned = float(credit(p, fitted))
        assert (verdict_for(p, fitted) == "partial") == (0 < earned < 1), p


def test_weighted_score():
    assert weighted_score([1.0, 0.0, 0.5], [2, 1, 2]) == pytest.approx(0.6)


@pytest.mark.parametrize(
    "bad",
    [
        {"no_credit": 0.7},  # above full credit
        {"partial": 0.9},  # above covered
        {"weights": (1.0, 2.0)},  # wrong number of features
        {"interactions": ((0.0, 1.0), (0.0, 0.0))},  # not features x features
    ],
)
def test_calibration_must_be_consistent(bad):
    base = dict(
        weights=CAL.weights, bias=CAL.bias, no_credit=0.2, full_credit=0.6, partial=0.4, covered=0.6,
        contradiction_similarity=0.5,
    )
    with pytest.raises(ValueError):
        Calibration(**{**base, **bad})


@pytest.mark.parametrize(
    ("support", "wrong", "expected"),
    [
        ([0.5, 0.6], [[0.8, 0.3]], (0, 0)),  # segment 0 states misconception 0
        ([0.5, 0.6], [[0.6, 0.3], [0.3, 0.75]], (1, 1)),  # misconception 1 in segment 1
        ([0.5, 0.9], [[0.8, 0.3]], None),  # another segment states the point more plainly
        ([0.5, 0.6], [[0.55, 0.3]], None),  # not closer by the margin
        ([0.2, 0.1], [[0.45, 0.3]], None),  # closer, but below the similarity floor
        ([0.5, 0.6], [[0.3, 0.68]], None),  # no closer to the misconception than right text is
        ([], [[]], None),
    ],
)
def test_misconception_segment(support, wrong, expected):
    anchor = np.array([0.7, 0.7][: len(wrong)])
    found = misconception_segment(np.array(support), np.array(wrong), anchor, min_similarity=0.5, margin=0.1)
    assert found == expected


@pytest.mark.parametrize(
    ("support", "wrong", "edited", "expected"),
    [
        ([0.8, 0.5], [[0.78, 0.3]], [[True, False]], (0, 0)),  # makes the edit, about as close as the point
        ([0.7, 0.5], [[0.78, 0.3], [0.6, 0.72]], [[False, False], [False, True]], (1, 1)),
        # the answer states the point plainly elsewhere (0.9), far closer than the edit's segment is
        # to the misconception
        ([0.9, 0.5], [[0.6, 0.72]], [[False, True]], None),
        ([0.8, 0.5], [[0.78, 0.3]], [[False, True]], None),  # the segment close to it does not make the edit
        ([0.9, 0.5], [[0.78, 0.3]], [[True, False]], None),  # much closer to the point than to the misconception
        ([0.5, 0.5], [[0.65, 0.3]], [[True, False]], None),  # below the similarity floor
    ],
)
def test_edited_misconception_segment(support, wrong, edited, expected):
    found = edited_misconception_segment(
        np.array(support), np.array(wrong), np.array(edited), min_similarity=0.7, margin=-0.05
    )
    assert found == expected
