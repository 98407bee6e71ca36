"""Answer text -> segments (sentences, clauses, sentence pairs) with character spans.

A key point is often made by one clause of a long answer, or across two short sentences, so
the evaluator matches every key point against all three kinds and keeps the best.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["sentence", "clause", "pair"]

MIN_CLAUSE_WORDS = 3
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
# Where a sentence splits into clauses that can each carry a claim of their own.
_CLAUSE_BREAK = re.compile(
    r"""\s*;\s*"""
    r"""|,\s+(?=(?:and|but|while|whereas|which|where|so|yet|because|although|though|unlike|instead)\b)"""
    r"""|\s+(?=(?:whereas|while|unlike|but)\s)"""
    r"""|\s+[-\u2013\u2014]{1,2}\s+""",
    re.IGNORECASE,
)


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
        _append_span(text, position, match.start(), "sentence", sentences)
        position = match.end()
    _append_span(text, position, len(text), "sentence", sentences)
    return sentences


def split_clauses(sentence: Segment, source: str) -> list[Segment]:
    """The clauses of one sentence, or [] when it does not split into several real clauses."""
    pieces: list[Segment] = []
    position = sentence.start
    body = source[sentence.start : sentence.end]
    for match in _CLAUSE_BREAK.finditer(body):
        _append_span(source, position, sentence.start + match.start(), "clause", pieces)
        position = sentence.start + match.end()
    _append_span(source, position, sentence.end, "clause", pieces)
    pieces = [p for p in pieces if len(p.text.split()) >= MIN_CLAUSE_WORDS]
    return pieces if len(pieces) > 1 else []


def segment_answer(text: str) -> list[Segment]:
    """Every unit a key point is matched against: sentences, their clauses, adjacent pairs."""
    sentences = split_sentences(text)
    segments = list(sentences)
    for sentence in sentences:
        segments.extend(split_clauses(sentence, text))
    for first, second in zip(sentences, sentences[1:]):
        segments.append(Segment(text[first.start : second.end], first.start, second.end, "pair"))
    return segments


def enclosing_sentences(segments: list[Segment]) -> list[Segment]:
    """For each segment of `segment_answer`, the sentence it is part of: a clause's sentence, else itself."""
    sentences = [s for s in segments if s.kind == "sentence"]
    starts = [s.start for s in sentences]
    return [sentences[bisect_right(starts, s.start) - 1] if s.kind == "clause" else s for s in segments]


def _ends_with_abbreviation(text: str, end: int) -> bool:
    """True when the full stop before `end` closes an abbreviation or a single initial."""
    head = text[max(0, end - 12) : end].rstrip("\"')] \t")
    if not head.endswith("."):
        return False
    word = re.split(r"[\s(]", head[:-1])[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _append_span(text: str, start: int, end: int, kind: SegmentKind, out: list[Segment]) -> None:
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
