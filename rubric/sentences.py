"""Text -> sentences and list items with their character spans: the bottom text layer that the
rubric builder and the evaluator's answer segmentation both use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["sentence", "clause", "pair"]

_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "fig", "eq", "dr", "mr", "ms", "no", "al"}

# Where a sentence ends: terminal punctuation then space, a blank line, a line that starts a list
# item, a line break after terminal punctuation or a colon, or a line that starts with a capital.
_SENTENCE_END = re.compile(
    r"""(?<=[.!?])["')\]]*[ \t]+(?=["'(\[]?[A-Z0-9])"""
    r"""|\n[ \t]*\n\s*"""
    r"""|\n(?=[ \t]*(?:[-*\u2022]|\d{1,2}[.)])[ \t])"""
    r"""|(?<=[.!?:;])[ \t]*\n\s*"""
    r"""|\n(?=[ \t]*[A-Z])"""
)
_LIST_MARKER = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])[ \t]+")


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of the answer: `text == answer[start:end]`."""

    text: str
    start: int
    end: int
    kind: SegmentKind


def split_sentences(text: str) -> list[Segment]:
    """Sentences and list items of `text`, with their spans, leading list markers left out."""
    sentences: list[Segment] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        if _ends_with_abbreviation(text, match.start()):
            continue
        append_span(text, position, match.start(), "sentence", sentences)
        position = match.end()
    append_span(text, position, len(text), "sentence", sentences)
    return sentences


def _ends_with_abbreviation(text: str, end: int) -> bool:
    """True when the full stop before `end` closes an abbreviation or a single initial."""
    head = text[max(0, end - 12) : end].rstrip("\"')] \t")
    if not head.endswith("."):
        return False
    word = re.split(r"[\s(]", head[:-1])[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def append_span(text: str, start: int, end: int, kind: SegmentKind, out: list[Segment]) -> None:
    """Append text[start:end] trimmed of white space and a list marker, if anything is left."""
    piece = text[start:end]
    stripped = piece.lstrip()
    start += len(piece) - len(stripped)
    marker = _LIST_MARKER.match(stripped)
    if marker:
        start += marker.end()
    piece = text[start:end].rstrip()
    if piece and any(ch.isalnum() for ch in piece):
        out.append(Segment(piece, start, start + len(piece), kind))
