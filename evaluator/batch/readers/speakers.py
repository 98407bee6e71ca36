"""Speaker lines with names, as meeting tools and people write them, with or without a timestamp.

    [00:01:02] Priya Sharma: What is dropout?        00:01:02 Priya Sharma: What is dropout?
    10:02 AM Priya Sharma: What is dropout?          (1:02) Priya Sharma: What is dropout?
    Priya Sharma (Interviewer): What is dropout?     Priya Sharma: What is dropout?
    **Priya Sharma:** What is dropout?               Priya Sharma  00:01:02     (text on the next lines)

Lines that start no turn continue the one before. A name counts as a speaker when it has a
timestamp or a role tag, is a full name ("Ann Lee"), or speaks at least twice, so "Note: ..."
inside an answer is no speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from evaluator.batch.readers.conversation import Turn
from evaluator.batch.readers.header import Header

TIMESTAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
SPEAKER_NAME = r"[^\W\d_][\w'’.\-]*(?:[ \t]+[^\W\d_][\w'’.\-]*){0,3}(?:[ \t]+\d{1,2})?"  # "Speaker 2" too
ROLE_TAG = r"[(\[](?![\d:.,\sAaPpMm]+[)\]])[^)\]]{1,30}[)\]]"  # "(Interviewer)", never "(00:01:02)"
_STAMP = rf"(?:\[{TIMESTAMP}\]|\({TIMESTAMP}\)|{TIMESTAMP})"
_SPEAKER_LINE = re.compile(
    rf"""^[ \t]*(?:[-*+>][ \t]+)?
    (?:(?P<stamp>{_STAMP})[ \t]*[-–—|]?[ \t]*)?
    (?P<emph>\*\*|__)?
    (?P<speaker>{SPEAKER_NAME}(?:[ \t]*{ROLE_TAG})?)
    (?:[ \t]+(?P<late_stamp>{_STAMP}))?
    [ \t]*(?(emph)(?:(?P=emph)[ \t]*:|:[ \t]*(?P=emph))|:)
    [ \t]*(?P<text>.*)$""",
    re.VERBOSE,
)
_SPEAKER_HEADING = re.compile(  # "Priya Sharma  00:01:02" alone, the text on the lines after it
    rf"^[ \t]*(?P<speaker>{SPEAKER_NAME}(?:[ \t]*{ROLE_TAG})?)[ \t]+(?P<stamp>{_STAMP})[ \t]*$"
)
STAMP_LINE = re.compile(rf"^[ \t]*{_STAMP}[ \t]*$")
_ROLE_TAG = re.compile(r"[(\[][^)\]]+[)\]]\s*$")
_FULL_NAME = re.compile(r"^[A-Z][a-z'’.\-]+(?:[ \t]+[A-Z][a-z'’.\-]+){1,3}$")


@dataclass(frozen=True, slots=True)
class SpeakerLine:
    speaker: str
    text: str
    strong: bool  # has a timestamp, a role tag or a full name: a speaker even if heard once
    own_line: bool = False
    loose: bool = False  # strong only for looking like a full name ("Key Idea: ..." may be prose)


def parse_speaker_line(line: str) -> SpeakerLine | None:
    if match := _SPEAKER_HEADING.match(line):
        return SpeakerLine(match["speaker"].strip(), "", True, own_line=True)
    match = _SPEAKER_LINE.match(line)
    if not match or "://" in line[: match.end("speaker") + 3]:
        return None
    speaker = match["speaker"].strip()
    marked = bool(match["stamp"] or match["late_stamp"] or _ROLE_TAG.search(speaker))
    full_name = bool(_FULL_NAME.match(speaker))
    return SpeakerLine(speaker, match["text"].strip(), marked or full_name, loose=full_name and not marked)


def speaker_turns(lines: list[str], header: Header) -> list[Turn]:
    parsed = {n: parse_speaker_line(line) for n, line in enumerate(lines, 1) if n not in header.used}
    heard = Counter(p.speaker for p in parsed.values() if p is not None)
    named = {name.casefold() for name in header.names.values()}
    turns: list[Turn] = []
    for number, line in enumerate(lines, start=1):
        if number in header.used:
            continue
        found = parsed[number]
        if found is not None and (
            found.strong or heard[found.speaker] > 1 or found.speaker.casefold() in named
        ):
            loose = found.loose and heard[found.speaker] == 1 and found.speaker.casefold() not in named
            turns.append(
                Turn(
                    found.speaker,
                    number,
                    [found.text] if found.text else [],
                    raw=line.strip() if loose else None,
                )
            )
        elif turns and line.strip() and not STAMP_LINE.match(line):  # a bare "00:01:02" line is no text
            turns[-1].lines.append(line.strip())
    return turns


def count_speaker_lines(lines: list[str]) -> int:
    """How many lines look like speaker lines: a detection signal."""
    parsed = [p for p in map(parse_speaker_line, lines) if p is not None]
    heard = Counter(p.speaker for p in parsed)
    return sum(1 for p in parsed if p.strong or heard[p.speaker] > 1)
