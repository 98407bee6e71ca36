"""Which layout a file is in, from its content (the extension decides only for .jsonl and .csv)."""

from __future__ import annotations

import re
from typing import Literal

from evaluator.batch.readers.chat import count_chat_lines
from evaluator.batch.readers.labelled import parse_turn_label
from evaluator.batch.readers.notes import count_note_questions
from evaluator.batch.readers.speakers import count_speaker_lines, parse_speaker_line

Format = Literal["jsonl", "csv", "labelled", "speakers", "chat", "vtt", "srt", "notes"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "labelled", "speakers", "chat", "vtt", "srt", "notes")
TRANSCRIPT_FORMATS = frozenset({"labelled", "speakers", "chat", "vtt", "srt", "notes"})
SAMPLE_LINES = 400
_SRT_TIMING = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")


def detect_format(lines: list[str]) -> Format:
    """The layout the lines are written in; `labelled` when nothing else fits (its error says what it wants)."""
    sample = _without_front_matter(lines[:SAMPLE_LINES])
    first = next((line.strip() for line in sample if line.strip()), "")
    if first.startswith("WEBVTT"):
        return "vtt"
    if first.isdigit() and any(_SRT_TIMING.match(line) for line in sample[:6]):
        return "srt"
    if first.startswith("{") and first.endswith("}"):
        return "jsonl"
    labelled = sum(1 for line in sample if parse_turn_label(line) is not None)
    counts = {
        "chat": count_chat_lines(sample),
        "speakers": count_speaker_lines([line for line in sample if not _role_named_speaker(line)]),
        "labelled": labelled,
        "notes": count_note_questions(sample),
    }
    best = max(counts, key=lambda k: (counts[k], k == "labelled"))
    return best if counts[best] else "labelled"  # type: ignore[return-value]


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is not None:
            return lines[end + 1 :]
    return lines


def _role_named_speaker(line: str) -> bool:
    """A plain 'Interviewer: ...' line: the labelled layout's, though it fits the speaker pattern too."""
    if parse_turn_label(line) is None:
        return False
    found = parse_speaker_line(line)
    return found is not None and not found.strong
