"""The labelled data that calibration and the accuracy report read, and how it is split.

- The project's graded answers: tests/data/graded/<question-id>.yaml.
- SemEval-2013 Task 7 (Dzikovska et al., 2013), 2-way training data, read from
  ../shared/datasets/ and never copied into the repository; absent -> None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GRADED_DIR = ROOT / "tests" / "data" / "graded"
SEMEVAL_FILE = ROOT.parent / "shared" / "datasets" / "semeval2013-2way-train.jsonl"


@dataclass(frozen=True)
class GradedAnswer:
    question_id: str
    id: str
    kind: str
    grade: int
    labels: dict[str, str]  # key point id -> covered | missed | contradicted
    text: str


def load_graded(folder: Path = GRADED_DIR) -> list[GradedAnswer]:
    answers = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for a in data["answers"]:
            answers.append(GradedAnswer(data["question_id"], a["id"], a["kind"], a["grade"], a["points"], a["text"]))
    return answers


def is_held_back(question_id: str) -> bool:
    """Every third question of each level (02, 05, 08, 11, 14) is kept out of calibration."""
    return int(question_id.rsplit("-", 1)[1]) % 3 == 2


def semeval_is_held_back(row: dict) -> bool:
    """Half of the SemEval questions (by a stable hash of the id) never inform calibration."""
    import zlib

    return zlib.crc32(f"{row['dataset']}/{row['question_id']}".encode()) % 2 == 1


def load_semeval(path: Path = SEMEVAL_FILE) -> list[dict] | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def semeval_requests(rows: list[dict]):  # noqa: ANN201
    """Each SemEval answer as an EvaluationRequest against a one-point rubric whose phrasings
    are the question's reference answers; with its label (True = correct)."""
    from evaluator import EvaluationRequest
    from rubric import KeyPoint, Question

    rubrics: dict[tuple[str, str], Question] = {}
    requests, labels = [], []
    for row in rows:
        key = (row["dataset"], row["question_id"])
        if key not in rubrics:
            refs = list(dict.fromkeys(r[:300] for r in row["references"] if len(r.strip()) >= 3))
            rubrics[key] = Question(
                id="semeval",
                text=row["question"][:1000],
                key_points=[KeyPoint(id="reference", text=refs[0], alternatives=tuple(refs[1:]))],
            )
        if not any(ch.isalnum() for ch in row["answer"]):
            continue
        requests.append(EvaluationRequest(row["answer"], rubric=rubrics[key]))
        labels.append(row["label"] == "correct")
    return requests, labels
