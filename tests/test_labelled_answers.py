"""The labelled answer sets that calibration and the accuracy report read stay in step with the bank."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from rubric import load_bank

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from accuracy_data import BLIND_DIR, BLIND_KINDS, GRADED_DIR, GRADED_KINDS, LABELS  # noqa: E402

SETS = {"graded": (GRADED_DIR, GRADED_KINDS), "blind": (BLIND_DIR, BLIND_KINDS)}
BANK = load_bank()


def _files(name: str) -> list[Path]:
    return sorted(SETS[name][0].glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_bank_question_has_labelled_answers(name: str):
    assert sorted(path.stem for path in _files(name)) == sorted(BANK)


@pytest.mark.parametrize(
    ("name", "path"),
    [(name, path) for name in sorted(SETS) for path in _files(name)],
    ids=lambda v: getattr(v, "stem", v),
)
def test_labels_name_every_key_point_of_the_question(name: str, path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["question_id"] == path.stem
    point_ids = {p.id for p in BANK[path.stem].key_points}
    answers = data["answers"]
    assert len({a["id"] for a in answers}) == len(answers), "answer ids repeat"
    assert {a["kind"] for a in answers} == SETS[name][1], "every kind, and only known kinds"
    for answer in answers:
        assert isinstance(answer["grade"], int) and 0 <= answer["grade"] <= 5, answer["id"]
        assert set(answer["points"]) == point_ids, answer["id"]
        assert set(answer["points"].values()) <= LABELS, answer["id"]
        assert len(answer["text"].split()) >= 3, answer["id"]
