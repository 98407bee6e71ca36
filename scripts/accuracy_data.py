"""The labelled data that calibration and the accuracy report read, and how it is split.

- The project's graded answers: tests/data/graded/<question-id>.yaml.
- The blind set: tests/data/blind/<question-id>.yaml, answers to the bank's questions written by a
  writer who saw only the question texts (never the rubrics, the graded answers or the code),
  graded 0-5 by that writer and labelled per key point apart; never used for fitting.
- SemEval-2013 Task 7 (Dzikovska et al., 2013), 2-way training data, read from
  ../shared/datasets/ and never copied into the repository; absent -> None.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GRADED_DIR = ROOT / "tests" / "data" / "graded"
BLIND_DIR = ROOT / "tests" / "data" / "blind"
SEMEVAL_FILE = ROOT.parent / "shared" / "datasets" / "semeval2013-2way-train.jsonl"
CACHE_DIR = Path("/tmp/interview-evaluator-accuracy-cache")  # never inside the repository
# The answer kinds of each set, and the labels a key point can get.
GRADED_KINDS = frozenset(
    "complete paraphrase partial misconception off-topic vague restated keyword-list padded short".split()
)
BLIND_KINDS = frozenset("strong example-led adequate flawed weak".split())
# The kinds of answer that make no wrong claim: where a contradiction is a false one.
CORRECT_KINDS = frozenset("complete paraphrase padded short".split())
BLIND_CORRECT_KINDS = frozenset("strong example-led adequate".split())
LABELS = frozenset({"covered", "missed", "contradicted"})


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


class DiskCachedEmbedder:
    """The bundled model with its vectors kept on disk (CACHE_DIR) between runs of these scripts."""

    def __init__(self) -> None:
        from evaluator.embedding import make_embedder, resolve_backend

        self.inner = make_embedder()
        self.name = self.inner.name
        self.path = CACHE_DIR / f"{self.name}-{resolve_backend()}.pkl"
        self._vectors: dict[str, object] = {}
        if self.path.is_file():
            with self.path.open("rb") as handle:
                self._vectors = pickle.load(handle)
        self._dirty = False
        self.token_vectors = self.inner.token_vectors  # answers' segments are pooled (evaluator.pooling), uncached

    def encode(self, texts: Sequence[str]):  # noqa: ANN201
        import numpy as np

        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self.inner.encode(missing)))
            self._dirty = True
        if not texts:
            return self.inner.encode(texts)
        return np.stack([self._vectors[t] for t in texts])

    def save(self) -> None:
        if self._dirty:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("wb") as handle:
                pickle.dump(self._vectors, handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(self.path)
            self._dirty = False


def semeval_built_requests(rows: list[dict], embedder) -> tuple[list[list], list[bool]]:  # noqa: ANN001
    """Each SemEval answer as one EvaluationRequest per reference answer, against the rubric that
    rubric.build_rubric builds from the question and that reference (a one-point rubric of the
    reference itself where the builder finds nothing checkable); with its label (True = correct).
    An answer's score is its best over its requests: every reference is a complete answer."""
    from evaluator import EvaluationRequest
    from rubric import KeyPoint, Question, RubricError
    from rubric.build import build_rubric

    rubrics: dict[tuple[str, str], list[Question]] = {}
    requests, labels = [], []
    for row in rows:
        key = (row["dataset"], row["question_id"])
        if key not in rubrics:
            built = []
            for reference in dict.fromkeys(r[:1000] for r in row["references"] if len(r.strip()) >= 3):
                try:
                    built.append(build_rubric(row["question"][:1000], reference_answer=reference, id="semeval",
                                              embedder=embedder))
                except RubricError:
                    built.append(Question(id="semeval", text=row["question"][:1000],
                                          key_points=[KeyPoint(id="reference", text=reference[:300])]))
            rubrics[key] = built
        if not any(ch.isalnum() for ch in row["answer"]):
            continue
        requests.append([EvaluationRequest(row["answer"], rubric=q) for q in rubrics[key]])
        labels.append(row["label"] == "correct")
    return requests, labels


JUDGE_DIR = ROOT / "tests" / "data" / "judge"


def load_bank_statements(path: Path = JUDGE_DIR / "bank_statements.yaml") -> list[dict]:
    """One row per statement: question_id, point_id, text, label (contradicts | supports), how."""
    rows = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        for s in entry["statements"]:
            rows.append({"question_id": entry["question_id"], "point_id": entry["point_id"], **s})
    return rows


def load_foreign_rubrics(path: Path = JUDGE_DIR / "foreign_rubrics.yaml") -> list[dict]:
    """Questions outside the bank with a reference answer and correct / all_wrong / one_wrong answers."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def without_misconceptions(question):  # noqa: ANN001, ANN201
    """The question with every key point's listed misconceptions removed (as a user's rubric has none)."""
    points = tuple(p.model_copy(update={"misconceptions": ()}) for p in question.key_points)
    return question.model_copy(update={"key_points": points})
