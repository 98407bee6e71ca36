"""Markdown interview notes: a question as a heading, a bold line or a numbered line; the answer below.

    ## Question 1                    ## What is dropout?          **What is dropout?**
    **What is dropout?**             Dropout switches off ...     - switches off units
    Dropout switches off ...                                      - only in training

    1. What is dropout?
       Dropout switches off units at random ...

A heading that only numbers the question ("## Question 1", "### Q2") takes the question from the
line after it. An answer is every paragraph or list up to the next question; list markers are
dropped. A heading that asks nothing ("## Feedback") ends the answer. Front matter or a header
line names the candidate; so does a title such as "# Mock interview with Ravi Kumar".
"""

from __future__ import annotations

import re

from evaluator.batch.readers.conversation import Turn
from evaluator.batch.readers.header import Header, looks_like_name

_HEADING = re.compile(r"^[ \t]{0,3}(?P<level>\#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
_NUMBER_ONLY = re.compile(r"^(?:question|q)[ \t]*\#?\d*[ \t]*[:.)]?$", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^(?:(?:question|q)[ \t]*\#?\d*[ \t]*[:.)]|\d{1,3}[.)])[ \t]*", re.IGNORECASE)
_BOLD_LINE = re.compile(
    r"^[ \t]*(?:\d{1,3}[.)][ \t]+)?(?P<m>\*\*|__)(?P<text>[^*_].*?)(?P=m)[ \t]*[:.]?[ \t]*$"
)
_NUMBERED = re.compile(r"^(?:\d{1,3}[.)]|Q\d{1,3}[.)])[ \t]+(?P<text>.*\?.*)$")
_ANSWER_HEADING = re.compile(r"^(?:answer|a|response|notes?)[ \t]*\#?\d*[ \t]*:?$", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_TITLE_NAME = re.compile(
    r"\bwith[ \t]+(?P<name>[^\W\d_][\w'’.\-]*(?:[ \t]+[^\W\d_][\w'’.\-]*){0,2})", re.UNICODE
)


def question_of(line: str) -> str | None:
    """The question text when the line asks one in a notes layout ("" for a numbering heading)."""
    if match := _HEADING.match(line):
        text = match["text"].strip().strip("*_").strip()
        if _NUMBER_ONLY.match(text):
            return ""
        text = _NUMBER_PREFIX.sub("", text).strip().strip("*_").strip()
        return text if "?" in text else None
    if match := _BOLD_LINE.match(line):
        text = _NUMBER_PREFIX.sub("", match["text"].strip()).strip()
        return text if "?" in text or len(text.split()) > 3 else None
    if match := _NUMBERED.match(line):
        return match["text"].strip().strip("*_").strip()
    return None


def note_turns(lines: list[str], header: Header) -> tuple[list[Turn], str | None]:
    """Question and answer turns, and a candidate named in a title line."""
    turns: list[Turn] = []
    title_name: str | None = None
    pending_number: int | None = None  # a "## Question 1" heading waiting for its question line
    current: Turn | None = None
    for number, line in enumerate(lines, start=1):
        if number in header.used:
            continue
        stripped = line.strip()
        asked = question_of(line)
        heading = _HEADING.match(line)
        if pending_number is not None and stripped:
            text = stripped.strip("*_").strip()
            turns.append(Turn("Interviewer", pending_number, [_NUMBER_PREFIX.sub("", text)], "interviewer"))
            current, pending_number = None, None
            continue
        if asked == "":
            pending_number, current = number, None
        elif asked is not None:
            turns.append(Turn("Interviewer", number, [asked], "interviewer"))
            current = None
        elif heading:
            text = heading["text"]
            if title_name is None and heading["level"] == "#" and (found := _TITLE_NAME.search(text)):
                title_name = found["name"] if looks_like_name(found["name"]) else None
            if not _ANSWER_HEADING.match(text.strip().strip("*_")):
                current = None
                if turns and turns[-1].role == "candidate":
                    turns.append(Turn("", number, [], None))  # a section ends the answer
        elif stripped and turns and turns[-1].role in ("interviewer", "candidate"):
            if current is None:
                current = Turn("Candidate", number, [], "candidate")
                turns.append(current)
            current.lines.append(
                _LIST_MARKER.sub("", line).rstrip() if _LIST_MARKER.match(line) else stripped
            )
        elif not stripped and current is not None:
            current.lines.append("")
    return [t for t in turns if t.role is not None], title_name


def count_note_questions(lines: list[str]) -> int:
    return sum(1 for line in lines if question_of(line) is not None)
