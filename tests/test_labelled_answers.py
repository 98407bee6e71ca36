"""The labelled answer sets that calibration and the accuracy report read stay in step with the bank."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rubric import load_bank

DATA = Path(__file__).resolve().parent / "data"
GRADED_KINDS = {
    "complete", "paraphrase", "partial", "misconception", "off-topic", "vague", "restated", "keyword-list",
    "padded", "short",
}
BLIND_KINDS = {"strong", "example-led", "adequate", "flawed", "weak"}
SETS = {"graded": GRADED_KINDS, "blind": BLIND_KINDS}
LABELS = {"covered", "missed", "contradicted"}
BANK = load_bank()


def _files(name: str) -> list[Path]:
    return sorted((DATA / name).glob("*.yaml"))


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
    assert {a["kind"] for a in answers} == SETS[name], "every kind, and only known kinds"
    for answer in answers:
        assert isinstance(answer["grade"], int) and 0 <= answer["grade"] <= 5, answer["id"]
        assert set(answer["points"]) == point_ids, answer["id"]
        assert set(answer["points"].values()) <= LABELS, answer["id"]
        assert len(answer["text"].split()) >= 3, answer["id"]
