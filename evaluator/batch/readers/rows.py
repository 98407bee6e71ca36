"""What every reader yields: an answer to score (`InputRow`) or a row that is not scored (`RowError`)."""

from __future__ import annotations

from dataclasses import dataclass

MALFORMED = "malformed"
SKIPPED = "skipped"  # not an error: small talk, an unanswered question, a question outside the bank


@dataclass(frozen=True, slots=True)
class InputRow:
    """One answer to score, with where it came from and how its question is given."""

    file: str
    line: int
    answer: str
    question_id: str | None = None
    question: str | None = None
    candidate: str | None = None
    session: str | None = None
    id: str | None = None
    question_line: int | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A row or turn that is not scored, and why: `malformed`, or `skipped` (not an error)."""

    file: str
    line: int
    reason: str
    kind: str = MALFORMED
    candidate: str | None = None
    session: str | None = None
    id: str | None = None
    question: str | None = None


Item = InputRow | RowError
