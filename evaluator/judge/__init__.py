"""Contradiction judges: does an answer's sentence assert the opposite of a key point?

The bi-encoder finds, for each key point, the few answer sentences about it; a judge reads each
(key point, sentence) pair together and says whether the sentence contradicts the point, and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

ConflictKind = Literal[
    "negation", "role_swap", "comparison", "opposite", "direction", "misconception", "model"
]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why a sentence is taken to contradict a key point, in words a candidate can read."""

    kind: ConflictKind
    explanation: str


@runtime_checkable
class ContradictionJudge(Protocol):
    """Reads (key point, answer sentence) pairs; None where the sentence does not contradict the point."""

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]: ...


def warm_up(judge: ContradictionJudge) -> None:
    """Load what the judge loads on first use (a parser, a model), if it says how."""
    load = getattr(judge, "warm_up", None)
    if load is not None:
        load()


def read_ahead(judge: ContradictionJudge, key_points: Sequence[str] = (), sentences: Sequence[str] = ()) -> None:
    """Have the judge read these key points and answer sentences now, if it keeps what it reads."""
    read = getattr(judge, "read_ahead", None)
    if read is not None:
        read(key_points, sentences)


class EitherJudge:
    """A conflict where any of its judges finds one (the first judge's, where several do)."""

    def __init__(self, judges: Sequence[ContradictionJudge]) -> None:
        self.judges = tuple(judges)

    def warm_up(self) -> None:
        for judge in self.judges:
            warm_up(judge)

    def read_ahead(self, key_points: Sequence[str] = (), sentences: Sequence[str] = ()) -> None:
        for judge in self.judges:
            read_ahead(judge, key_points, sentences)

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]:
        found: list[Conflict | None] = [None] * len(pairs)
        for judge in self.judges:
            open_ = [i for i, c in enumerate(found) if c is None]
            if not open_:
                break
            for i, conflict in zip(open_, judge.judge([pairs[i] for i in open_])):
                found[i] = conflict
        return found


JUDGES = ("words", "parse", "roles", "model")
# What the evaluator uses unless told otherwise: the word cues, then the parse judge's structural checks
# (roles, comparisons, directions) on the same sentences; its polarity check ("parse") flagged correct
# reference answers of the bank. Held-out figures of each judge: docs/accuracy.md#contradictions.
DEFAULT_JUDGE = "words+roles"


def make_judge(name: str = DEFAULT_JUDGE) -> ContradictionJudge:
    """The sentence judge called `name`: one of JUDGES, or several joined by '+' (any of them)."""
    if "+" in name:
        return EitherJudge([make_judge(part) for part in name.split("+")])
    if name == "words":
        from evaluator.judge.words import WordJudge

        return WordJudge()
    if name in ("parse", "roles"):
        from evaluator.judge.parse import ParseJudge

        return ParseJudge(polarity=name == "parse")
    if name == "model":
        from evaluator.judge.cross_encoder import CrossEncoderJudge

        return CrossEncoderJudge()
    raise ValueError(f"unknown judge {name!r}: choose one of {', '.join(JUDGES)}, or several joined by '+'")
