"""OnnxEmbedder: the bundled model run by ONNX Runtime, with no torch in the process.

Tokenisation uses the model's own tokenizer.json (`tokenizers`), truncated to the model's
max_seq_length like sentence-transformers; mean pooling and L2 normalisation are done in numpy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from evaluator.embedding import DEFAULT_BATCH_SIZE, MODEL_NAME, TokenVectors, bundled_model_path
from evaluator.errors import ModelUnavailableError
from evaluator.onnx_export import INPUT_NAMES, OUTPUT_NAME, ensure_onnx_model

MIN_FILL = 0.8  # a batch's shortest text has at least this share of its longest text's tokens


class OnnxEmbedder:
    """The same sentence-transformer (mean pooling, normalised), run by ONNX Runtime on the CPU.

    The ONNX file comes from the export cache (made on first use, see evaluator.onnx_export)
    unless `onnx_file` names one. `quantized` selects the int8 copy: faster, slightly less exact.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        quantized: bool = False,
        threads: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        onnx_file: str | Path | None = None,
        onnx_dir: str | Path | None = None,
    ) -> None:
        path = Path(model_path) if model_path is not None else bundled_model_path()
        if not path.is_dir():
            raise ModelUnavailableError(f"model folder {path} does not exist")
        self.name = MODEL_NAME if model_path is None else path.name
        self.backend = "onnx-int8" if quantized else "onnx"
        self.batch_size = batch_size
        self.max_tokens = _max_seq_length(path)
        _require_mean_pooling(path)
        self._tokenizer = _tokenizer(path, self.max_tokens)
        if onnx_file is None:
            onnx_file = ensure_onnx_model(path, quantized, Path(onnx_dir) if onnx_dir is not None else None)
        self.onnx_file = Path(onnx_file)
        self._session = _session(self.onnx_file, threads)
        self.dimension = _output_dimension(self._session, path)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for rows, _, hidden, mask in self._forward(texts):
            vectors[rows] = _mean_pool_normalised(hidden, mask)
        return vectors

    def token_vectors(self, texts: Sequence[str]) -> list[TokenVectors]:
        out: list[TokenVectors] = [None] * len(texts)  # type: ignore[list-item]
        for rows, encodings, hidden, _ in self._forward(texts):
            for k, (i, encoding) in enumerate(zip(rows, encodings)):
                n = len(encoding.ids)
                out[i] = TokenVectors(hidden[k, :n].copy(), np.array(encoding.offsets, dtype=np.int64))
        return out

    def _forward(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, list, np.ndarray, np.ndarray]]:  # type: ignore[type-arg]
        """Per batch of similar-length texts: their rows, encodings, hidden states and attention mask."""
        if not texts:
            return
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        for rows in _similar_length_batches(lengths, self.batch_size):
            batch = [encodings[i] for i in rows]
            inputs = padded(batch, int(lengths[rows].max()))
            with self._lock:  # one forward pass at a time: each already uses every thread it has
                hidden = self._session.run([OUTPUT_NAME], inputs)[0]
            yield rows, batch, hidden, inputs["attention_mask"]


def _similar_length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row indices, longest first, in batches of at most `batch_size` whose shortest text has at
    least MIN_FILL of the longest's tokens: padding costs more than the extra forward passes (an
    answer's texts range from a clause to a sentence pair; grouping them so is 1.6x faster)."""
    order = np.argsort(-lengths, kind="stable")
    batches, start = [], 0
    for end in range(1, len(order) + 1):
        full = end - start == batch_size
        if end == len(order) or full or lengths[order[end]] < MIN_FILL * lengths[order[start]]:
            batches.append(order[start:end])
            start = end
    return batches


def padded(encodings: list, width: int) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    """Token ids, attention mask and type ids of `encodings` (tokenizers), zero-padded to `width`."""
    arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUT_NAMES}
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        arrays["input_ids"][row, :n] = encoding.ids
        arrays["attention_mask"][row, :n] = encoding.attention_mask
        arrays["token_type_ids"][row, :n] = encoding.type_ids
    return arrays


def _mean_pool_normalised(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask.astype(np.float32)[:, :, None]
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)


def _session(onnx_file: Path, threads: int | None):  # type: ignore[no-untyped-def]
    try:
        import onnxruntime
    except ImportError as exc:
        raise ModelUnavailableError(f"the onnx backend needs onnxruntime: {exc}") from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or 0  # 0: one per core
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    try:
        return onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - a missing or corrupt file means the same thing here
        raise ModelUnavailableError(
            f"cannot load the ONNX model {onnx_file}: {exc}; delete it to export it again"
        ) from None


def _tokenizer(path: Path, max_tokens: int):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    file = path / "tokenizer.json"
    if not file.is_file():
        raise ModelUnavailableError(f"the onnx backend needs {file}, which does not exist")
    tokenizer = Tokenizer.from_file(str(file))
    tokenizer.no_padding()  # padded per batch, to that batch's longest text
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _read_json(file: Path) -> dict:  # type: ignore[type-arg]
    try:
        return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot read {file}: {exc}") from None


def _max_seq_length(path: Path) -> int:
    configured = _read_json(path / "sentence_bert_config.json").get("max_seq_length")
    positions = _read_json(path / "config.json").get("max_position_embeddings", 512)
    return int(min(configured or positions, positions))


def _require_mean_pooling(path: Path) -> None:
    pooling = _read_json(path / "1_Pooling" / "config.json")
    modes = [key for key, on in pooling.items() if key.startswith("pooling_mode_") and on]
    if modes not in ([], ["pooling_mode_mean_tokens"]):
        raise ModelUnavailableError(f"the onnx backend supports mean pooling only; {path} uses {modes}")


def _output_dimension(session, path: Path) -> int:  # type: ignore[no-untyped-def]
    size = session.get_outputs()[0].shape[-1]
    return int(size) if isinstance(size, int) else int(_read_json(path / "config.json")["hidden_size"])
