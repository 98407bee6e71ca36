"""A tiny deterministic embedder for unit tests of pure logic: hashed word counts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class HashingEmbedder:
    name = "hashing-test-embedder"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


class HashingTokenEmbedder(HashingEmbedder):
    """The same, with token vectors: [CLS], one hashed one-hot row per word, [SEP]; a text's vector
    is the unit mean of its token vectors, as the real model's is."""

    name = "hashing-token-test-embedder"

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.token_calls: list[list[str]] = []

    def token_vectors(self, texts: Sequence[str]) -> list:
        self.token_calls.append(list(texts))
        return [self._tokens(text) for text in texts]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        means = np.array([self._tokens(t).hidden.mean(axis=0) for t in texts], dtype=np.float32)
        return means / np.linalg.norm(means, axis=1, keepdims=True)

    def _tokens(self, text: str):  # noqa: ANN202
        from evaluator.embedding import TokenVectors

        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", text.lower())]
        hidden = np.zeros((len(spans) + 2, self.dim), dtype=np.float32)
        hidden[0, 0] = hidden[-1, 1] = 1.0  # [CLS], [SEP]
        for row, (start, end) in enumerate(spans, start=1):
            word = text[start:end].lower()
            hidden[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        return TokenVectors(hidden, np.array([(0, 0), *spans, (0, 0)], dtype=np.int64))
