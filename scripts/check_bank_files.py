"""Validate bank question files and graded-answer files by id (a development aid)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from accuracy_data import GRADED_KINDS as KINDS  # noqa: E402
from accuracy_data import LABELS  # noqa: E402
from rubric.models import Question  # noqa: E402


def check(qid: str) -> list[str]:
    problems: list[str] = []
    qpath = ROOT / "rubric/data/questions" / f"{qid}.yaml"
    gpath = ROOT / "tests/data/graded" / f"{qid}.yaml"
    try:
        question = Question.model_validate(yaml.safe_load(qpath.read_text()))
    except Exception as exc:  # noqa: BLE001
        return [f"{qpath}: {exc}"]
    if question.id != qid:
        problems.append(f"{qpath}: id {question.id} != {qid}")
    if not 3 <= len(question.key_points) <= 6:
        problems.append(f"{qpath}: {len(question.key_points)} key points (want 3-6)")
    if not gpath.exists():
        return problems + [f"{gpath}: missing"]
    data = yaml.safe_load(gpath.read_text())
    if data.get("question_id") != qid:
        problems.append(f"{gpath}: question_id mismatch")
    ids = {p.id for p in question.key_points}
    kinds = set()
    for answer in data.get("answers", []):
        kinds.add(answer.get("kind"))
        if answer.get("kind") not in KINDS:
            problems.append(f"{gpath}: {answer.get('id')}: unknown kind {answer.get('kind')}")
        if not isinstance(answer.get("grade"), int) or not 0 <= answer["grade"] <= 5:
            problems.append(f"{gpath}: {answer.get('id')}: grade must be an int 0-5")
        labels = answer.get("points") or {}
        if set(labels) != ids:
            problems.append(f"{gpath}: {answer.get('id')}: labels {sorted(labels)} != points {sorted(ids)}")
        if any(v not in LABELS for v in labels.values()):
            problems.append(f"{gpath}: {answer.get('id')}: bad label in {labels}")
        if not isinstance(answer.get("text"), str) or len(answer["text"].split()) < 3:
            problems.append(f"{gpath}: {answer.get('id')}: text missing")
    if KINDS - kinds:
        problems.append(f"{gpath}: missing kinds {sorted(KINDS - kinds)}")
    return problems


if __name__ == "__main__":
    all_problems = [p for qid in sys.argv[1:] for p in check(qid)]
    print("\n".join(all_problems) if all_problems else "OK")
    sys.exit(1 if all_problems else 0)
