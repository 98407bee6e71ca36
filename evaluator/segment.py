"""Answer text -> segments (sentences, clauses, sentence pairs) with character spans.

A key point is often made by one clause of a long answer, or across two short sentences, so
the evaluator matches every key point against all three kinds and keeps the best.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rubric.sentences import Segment, append_span, split_sentences

MIN_CLAUSE_WORDS = 3

# Where a sentence splits into clauses that can each carry a claim of their own.
_CLAUSE_BREAK = re.compile(
    r"""\s*;\s*"""
    r"""|,\s+(?=(?:and|but|while|whereas|which|where|so|yet|because|although|though|unlike|instead)\b)"""
    r"""|\s+(?=(?:whereas|while|unlike|but)\s)"""
    r"""|\s+[-\u2013\u2014]{1,2}\s+""",
    re.IGNORECASE,
)


def split_clauses(sentence: Segment, source: str) -> list[Segment]:
    """The clauses of one sentence, or [] when it does not split into several real clauses."""
    pieces: list[Segment] = []
    position = sentence.start
    body = source[sentence.start : sentence.end]
    for match in _CLAUSE_BREAK.finditer(body):
        append_span(source, position, sentence.start + match.start(), "clause", pieces)
        position = sentence.start + match.end()
    append_span(source, position, sentence.end, "clause", pieces)
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
