"""Contradiction judges: does an answer's sentence assert the opposite of a key point?

The bi-encoder finds, for each key point, the few answer sentences about it; a judge reads each
(key point, sentence) pair together and says whether the sentence contradicts the point, and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

ConflictKind = Literal["negation", "role_swap", "comparison", "opposite", "direction", "misconception", "model"]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why a sentence is taken to contradict a key point, in words a candidate can read."""

    kind: ConflictKind
    explanation: str


class ContradictionJudge(Protocol):
    """Reads (key point, answer sentence) pairs; None where the sentence does not contradict the point."""

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]: ...
