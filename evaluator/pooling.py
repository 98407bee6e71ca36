"""Segment vectors from one forward pass per sentence and clause: sums of their token vectors.

The model's sentence vector is the mean of its token vectors, so a unit vector is the direction of
their sum. A sentence pair is pooled from its two sentences' passes (their token sums added), and a
segment's question-demoted twin from its own pass without the tokens of the question's words. One
pass per sentence and clause then does what a pass per segment and per twin did, at about a third
of the tokens (docs/experiments.md: held-out figures within 0.01 of separate passes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluator.embedding import TokenEmbedder, TokenVectors
from evaluator.lexical import STOPWORDS, stem, word_spans
from evaluator.segment import Segment

Key = tuple[str, frozenset[str]]  # a sentence or clause, and the stems of its question


@dataclass(frozen=True, slots=True)
class TokenSums:
    """What pooling needs of one text, given the question's stems: the sum of all its token vectors,
    the sum without the question's words, and whether the twin differs from the text as written."""

    all: np.ndarray  # (dim,) float32
    kept: np.ndarray  # (dim,) float32: question-word tokens left out (`all` itself when none are)
    dropped: bool  # a question word was left out
    content_left: bool  # a content word is left after that

    @classmethod
    def of(cls, text: str, tokens: TokenVectors, drop: frozenset[str]) -> TokenSums:
        starts, ends = tokens.offsets[:, 0], tokens.offsets[:, 1]
        real = ends > 0  # special tokens have the span (0, 0)
        dropped = np.zeros(len(ends), dtype=bool)
        content = np.zeros(len(ends), dtype=bool)
        for word, start, end in word_spans(text):
            if word in STOPWORDS:
                continue
            inside = real & (starts < end) & (ends > start)
            content |= inside
            if stem(word) in drop:
                dropped |= inside
        hidden = tokens.hidden.astype(np.float64)
        total = hidden.sum(axis=0).astype(np.float32)  # kept as float32: the cache holds many
        kept = hidden[~dropped].sum(axis=0).astype(np.float32) if dropped.any() else total
        return cls(total, kept, bool(dropped.any()), bool((content & ~dropped).any()))


def pooled(parts: Sequence[TokenSums]) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the text made of `parts`, as written and question-demoted. The twin is the
    text itself when no question word goes or no content word would be left (as `lexical.demote`)."""
    raw = _unit([p.all for p in parts])
    demotes = any(p.dropped for p in parts) and any(p.content_left for p in parts)
    return raw, (_unit([p.kept for p in parts]) if demotes else raw)


def _unit(sums: list[np.ndarray]) -> np.ndarray:
    vector = np.sum(sums, axis=0, dtype=np.float64)
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


class SegmentPooler:
    """Segment vectors (as written, demoted) of many answers, one forward pass per sentence and
    clause text in one batched call, with an LRU of `max_entries` texts' sums per question."""

    def __init__(self, embedder: TokenEmbedder, max_entries: int = 20_000) -> None:
        self.embedder = embedder
        self.max_entries = max_entries
        self._cache: OrderedDict[Key, TokenSums] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(
        self, answers: Sequence[tuple[list[Segment], frozenset[str]]]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each (segments, question stems): (segments, dim) vectors as written and demoted."""
        keys = list(
            dict.fromkeys((s.text, drop) for segments, drop in answers for s in segments if s.kind != "pair")
        )
        sums = self._sums(keys)
        return [self._answer(segments, drop, sums) for segments, drop in answers]

    def _answer(
        self, segments: list[Segment], drop: frozenset[str], sums: dict[Key, TokenSums]
    ) -> tuple[np.ndarray, np.ndarray]:
        sentences = [s for s in segments if s.kind == "sentence"]
        rows = []
        for segment in segments:
            if segment.kind == "pair":
                parts = [
                    sums[(s.text, drop)]
                    for s in sentences
                    if segment.start <= s.start and s.end <= segment.end
                ]
            else:
                parts = [sums[(segment.text, drop)]]
            rows.append(pooled(parts))
        raw, demoted = zip(*rows)
        return np.stack(raw), np.stack(demoted)

    def _sums(self, keys: list[Key]) -> dict[Key, TokenSums]:
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
            for k in found:
                self._cache.move_to_end(k)
        missing = [k for k in keys if k not in found]
        texts = list(dict.fromkeys(text for text, _ in missing))
        tokens = dict(zip(texts, self.embedder.token_vectors(texts))) if texts else {}
        fresh = {(text, drop): TokenSums.of(text, tokens[text], drop) for text, drop in missing}
        if self.max_entries and fresh:
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return found | fresh
