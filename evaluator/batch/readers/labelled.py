"""Labelled transcripts: turns that start with a role label, `Interviewer:`/`Candidate:` or `Q:`/`A:`.

Question labels: `Interviewer`, `Question`, `Q`; answer labels: `Candidate`, `Interviewee`,
`Answer`, `A` (any case, optionally numbered: `Q1:`, `Question 2:`), also in bold, after a list
marker or `>`, or as a Markdown heading (`## Q1: ...`, `### Answer`). Outside a heading the colon
is required, so prose such as "A neural network..." is never taken for a label. Text after the
label and the lines that follow form the turn; a heading that is not a label or a `---` ends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from evaluator.batch.readers.conversation import Turn, exchanges
from evaluator.batch.readers.header import Header

_QUESTION_LABELS = {"interviewer", "question", "q"}
_TURN = re.compile(
    r"""^[ \t]*(?:(?P<heading>\#{1,6})[ \t]+|>[ \t]*|[-+*][ \t]+)?
    (?P<emph>\*\*|__|\*|_)?
    (?P<label>interviewer|interviewee|candidate|question|answer|q|a)
    (?:[ \t]*\#?\d{1,4})?
    (?P<inner>[ \t]*:)?
    (?(emph)(?P=emph))
    (?P<outer>[ \t]*:)?
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
HEADING = re.compile(r"^[ \t]*\#{1,6}([ \t]|$)")
THEMATIC_BREAK = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")


def parse_turn_label(line: str) -> tuple[Literal["question", "answer"], str] | None:
    """(role, rest of the line) when the line starts a labelled turn, else None."""
    match = _TURN.match(line)
    if not match:
        return None
    has_colon = bool(match["inner"] or match["outer"])
    rest = match["rest"]
    if not has_colon:
        # Only a Markdown heading may omit the colon, and then it is the label alone.
        if not match["heading"] or rest.strip().strip("*_").strip():
            return None
        rest = ""
    if match["heading"]:
        rest = rest.rstrip().rstrip("#").rstrip()
    role: Literal["question", "answer"] = (
        "question" if match["label"].lower() in _QUESTION_LABELS else "answer"
    )
    return role, rest.strip()


def labelled_turns(lines: list[str], header: Header) -> list[Turn]:
    turns: list[Turn] = []
    turn: Turn | None = None
    for number, line in enumerate(lines, start=1):
        if number in header.used:
            continue
        label = parse_turn_label(line)
        if label is not None:
            role, rest = label
            speaker = "Interviewer" if role == "question" else "Candidate"
            role_name = "interviewer" if role == "question" else "candidate"
            turn = Turn(speaker, number, [rest] if rest else [], role_name)
            turns.append(turn)
        elif THEMATIC_BREAK.match(line) or HEADING.match(line):
            turn = None
        elif turn is not None:
            turn.lines.append(line)
    return turns


def read_labelled(name: str, lines: list[str], header: Header, session: str) -> Iterator:
    turns = labelled_turns(lines, header)
    candidate = header.names.get("candidate")
    yield from exchanges(name, turns, candidate, session)
