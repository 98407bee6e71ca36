"""Check a bank folder for problems that make its scores unreliable.

    error    duplicate-id       two files give the same question id
    error    invalid-file       a file does not load (the message names the field: an empty or
                                too long point, a duplicate point id, a bad weight, ...)
    warning  long-point         a point of more than LONG_POINT_WORDS words: likely several claims
    warning  thin-point         a point with fewer than two content words: nothing to check
    warning  same-meaning       two points of one question that say the same (by the model)
    warning  closer-elsewhere   a point closer to another question (its points and its text) than
                                to its own: probably filed under the wrong question
    warning  misconception      a point's misconception that says nearly the same as another point of
                                its question: answers that state that point would be marked contradicted
    warning  weights            fractions that do not sum to 1, or one point carrying most of the
                                score, or one too light to matter

same-meaning, closer-elsewhere and misconception need the embedding model; `semantic=False` skips them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from rubric.bank import BUNDLED_BANK
from rubric.errors import BankFileError, InvalidRubricError
from rubric.io import QUESTION_SUFFIXES, load_question_file
from rubric.models import Question

if TYPE_CHECKING:
    from rubric.embedder import Embedder

Severity = Literal["error", "warning"]

LONG_POINT_WORDS = 30
SAME_MEANING = 0.85
# A point whose best match in another question beats its best match in its own question (its
# other points and the question text) by this margin, is at least ELSEWHERE_FLOOR, and that is
# closer to the other question's text than to its own.
ELSEWHERE_MARGIN = 0.05
ELSEWHERE_FLOOR = 0.70
HEAVY_SHARE = 0.5
LIGHT_SHARE = 0.05

_STOPWORDS = frozenset(
    "a an the of to in on for and or but is are was were be been it its this that these those with as by "
    "at from into than then so such can could will would should may might must do does not no".split()
)


@dataclass(frozen=True, slots=True)
class LintIssue:
    severity: Severity
    code: str
    path: str
    message: str
    question_id: str | None = None
    point_id: str | None = None

    def __str__(self) -> str:
        where = self.question_id or Path(self.path).name
        if self.point_id:
            where += f"/{self.point_id}"
        return f"{self.severity}: {where}: {self.code}: {self.message}"


def lint_bank(
    path: str | Path | None = None, *, embedder: Embedder | None = None, semantic: bool = True
) -> list[LintIssue]:
    """Every problem found in the bank folder (the bundled bank when `path` is None)."""
    folder = Path(path) if path is not None else BUNDLED_BANK
    if not folder.is_dir():
        raise BankFileError(folder, "not a folder of question files")
    files = sorted(p for p in folder.iterdir() if p.suffix in QUESTION_SUFFIXES and p.is_file())
    if not files:
        raise BankFileError(folder, f"no question files ({', '.join(QUESTION_SUFFIXES)}) in the folder")

    issues: list[LintIssue] = []
    questions: dict[str, tuple[Question, Path]] = {}
    for file in files:
        try:
            question = load_question_file(file)
        except InvalidRubricError as exc:
            problem = str(exc).removeprefix(f"{file}: ")
            issues.append(LintIssue("error", "invalid-file", str(file), problem))
            continue
        if question.id in questions:
            first = questions[question.id][1].name
            issues.append(
                LintIssue("error", "duplicate-id", str(file), f"id {question.id!r} is already used by {first}", question.id)
            )
            continue
        questions[question.id] = (question, file)

    for question, file in questions.values():
        issues.extend(_point_issues(question, file))
        issues.extend(_weight_issues(question, file))
    if semantic and questions:
        if embedder is None:
            raise TypeError("the semantic checks need an embedder")
        model = embedder
        issues.extend(_meaning_issues(list(questions.values()), model))
        issues.extend(_misconception_issues(list(questions.values()), model))
    order = {"error": 0, "warning": 1}
    return sorted(issues, key=lambda i: (order[i.severity], i.path, i.point_id or "", i.code))


def _point_issues(question: Question, file: Path) -> list[LintIssue]:
    issues = []
    for point in question.key_points:
        words = point.text.split()
        if len(words) > LONG_POINT_WORDS:
            issues.append(
                LintIssue("warning", "long-point", str(file),
                          f"{len(words)} words (more than {LONG_POINT_WORDS}): split it into separate claims",
                          question.id, point.id)
            )
        content = [w for w in re.findall(r"[a-z0-9]+", point.text.lower()) if w not in _STOPWORDS]
        if len(content) < 2:
            issues.append(
                LintIssue("warning", "thin-point", str(file), f"{point.text!r} has too little to check",
                          question.id, point.id)
            )
    return issues


def _weight_issues(question: Question, file: Path) -> list[LintIssue]:
    weights = [p.weight for p in question.key_points]
    total = sum(weights)
    issues = []
    if all(w <= 1 for w in weights) and any(w < 1 for w in weights) and abs(total - 1) > 0.01:
        issues.append(
            LintIssue("warning", "weights", str(file),
                      f"the weights look like fractions but sum to {total:g}, not 1", question.id)
        )
    if len(weights) >= 3:
        for point in question.key_points:
            share = point.weight / total
            if share > HEAVY_SHARE:
                issues.append(
                    LintIssue("warning", "weights", str(file),
                              f"carries {share:.0%} of the score on its own", question.id, point.id)
                )
            elif share < LIGHT_SHARE:
                issues.append(
                    LintIssue("warning", "weights", str(file),
                              f"carries only {share:.1%} of the score: too light to matter", question.id, point.id)
                )
    return issues


def _meaning_issues(questions: list[tuple[Question, Path]], embedder: Embedder) -> list[LintIssue]:
    """Same-meaning points within a question; points closer to another question than their own."""
    texts: list[str] = []
    owner_question: list[int] = []
    owner_point: list[int] = []
    for qi, (question, _) in enumerate(questions):
        for pi, point in enumerate(question.key_points):
            for phrasing in point.phrasings:
                texts.append(phrasing)
                owner_question.append(qi)
                owner_point.append(pi)
    vectors = embedder.encode(texts)
    question_vectors = embedder.encode([q.text for q, _ in questions])
    q_of = np.array(owner_question)
    p_of = np.array(owner_point)
    similarity = vectors @ vectors.T

    issues = []
    for qi, (question, file) in enumerate(questions):
        mine = q_of == qi
        for pi, point in enumerate(question.key_points):
            rows = mine & (p_of == pi)
            # same meaning: another point of this question
            for pj in range(pi + 1, len(question.key_points)):
                best = float(similarity[np.ix_(rows, mine & (p_of == pj))].max())
                if best >= SAME_MEANING:
                    other = question.key_points[pj]
                    issues.append(
                        LintIssue("warning", "same-meaning", str(file),
                                  f"says the same as {other.id!r} (similarity {best:.2f})", question.id, point.id)
                    )
            # closer elsewhere
            own_points = mine & (p_of != pi)
            own = float(similarity[np.ix_(rows, own_points)].max()) if own_points.any() else -1.0
            own = max(own, float((vectors[rows] @ question_vectors[qi]).max()))
            others = ~mine
            if not others.any():
                continue
            block = similarity[np.ix_(rows, others)].max(axis=0)
            best_index = int(np.argmax(block))
            foreign = float(block[best_index])
            target = np.flatnonzero(others)[best_index]
            to_own_text = float((vectors[rows] @ question_vectors[qi]).max())
            to_other_text = float((vectors[rows] @ question_vectors[q_of[target]]).max())
            # Shared points between overlapping questions are fine; a point that also sits closer
            # to the other question's text than to its own looks filed under the wrong question.
            if foreign >= ELSEWHERE_FLOOR and foreign > own + ELSEWHERE_MARGIN and to_other_text > to_own_text:
                other_question = questions[q_of[target]][0]
                other_point = other_question.key_points[p_of[target]]
                issues.append(
                    LintIssue("warning", "closer-elsewhere", str(file),
                              f"matches {other_question.id}/{other_point.id} ({foreign:.2f}) better than "
                              f"anything in its own question ({own:.2f})", question.id, point.id)
                )
    return issues


def _misconception_issues(questions: list[tuple[Question, Path]], embedder: Embedder) -> list[LintIssue]:
    """Misconceptions that say nearly the same as another point of their question."""
    issues = []
    for question, file in questions:
        wrong = [(point, text) for point in question.key_points for text in point.misconceptions]
        if not wrong:
            continue
        phrasings = [(other, text) for other in question.key_points for text in other.phrasings]
        similarity = embedder.encode([t for _, t in wrong]) @ embedder.encode([t for _, t in phrasings]).T
        for (point, text), row in zip(wrong, similarity):
            row = np.where([other is point for other, _ in phrasings], -1.0, row)
            k = int(np.argmax(row))
            if row[k] >= SAME_MEANING:
                other = phrasings[k][0]
                issues.append(
                    LintIssue("warning", "misconception", str(file),
                              f"misconception {text!r} says nearly the same as {other.id!r} ({row[k]:.2f}): "
                              "answers that state it would be marked contradicted", question.id, point.id)
                )
    return issues
