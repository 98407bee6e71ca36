"""The Embedder protocol: what the rubric builder and the evaluator need of a sentence model.

It lives at the bottom layer so that `rubric` needs nothing from `evaluator`; the implementations
(sentence-transformers, ONNX Runtime) live in `evaluator.embedding`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 row vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An array of shape (len(texts), dim), each row L2-normalised."""
        ...
