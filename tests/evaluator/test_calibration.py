from __future__ import annotations

import json

import pytest

from evaluator.calibration import CALIBRATION_FILE, FEATURE_NAMES, Calibration, load_calibration


def test_the_bundled_calibration_is_fitted_for_the_current_features():
    calibration = load_calibration()
    assert len(calibration.weights) == len(FEATURE_NAMES)
    assert 0 <= calibration.partial <= calibration.covered <= 1
    assert json.loads(CALIBRATION_FILE.read_text())["metadata"]["held_back"]


def test_a_calibration_round_trips_through_json(tmp_path):
    weights = tuple(float(i) for i in range(len(FEATURE_NAMES)))
    calibration = Calibration(weights, -1.0, 0.1, 0.6, 0.1, 0.5, 0.55)
    path = tmp_path / "calibration.json"
    path.write_text(calibration.to_json(fitted="today"))
    assert load_calibration(path) == calibration


def test_a_file_fitted_for_other_features_is_refused(tmp_path):
    data = json.loads(CALIBRATION_FILE.read_text())
    data["features"] = data["features"][:-1]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="fitted for features"):
        load_calibration(path)
