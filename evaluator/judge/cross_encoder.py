"""CrossEncoderJudge: a cross-encoder fine-tuned from all-MiniLM-L6-v2 to tell whether an answer's
sentence contradicts a key point, run offline by ONNX Runtime (int8) with no torch in the process.

The model reads the sentence and the point together, so word order and roles reach it ("the
generator judges" against "the discriminator judges"). Trained by scripts/train_judge.py; data,
recipe and figures in docs/judge-model-card.md. The tokenizer is the bundled embedder's own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evaluator.embedding import bundled_model_path
from evaluator.errors import ModelUnavailableError
from evaluator.onnx_embedding import padded
from evaluator.judge import Conflict

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "judge"


class CrossEncoderJudge:
    """Contradiction judge over (key point, answer sentence) pairs; see the module docstring."""

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        threads: int | None = None,
        onnx_file: str | Path | None = None,
    ) -> None:
        folder = Path(model_dir) if model_dir is not None else MODEL_DIR
        config = _read_config(folder / "config.json")
        self.threshold = float(config["threshold"])
        self.max_length = int(config["max_length"])
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self._contradiction = self.labels.index("contradiction")
        self._tokenizer = _tokenizer(self.max_length)
        self._session = _session(Path(onnx_file) if onnx_file is not None else folder / "model.onnx", threads)
        self._lock = threading.Lock()

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """The probability that each pair's sentence contradicts its key point, in the pairs' order.

        Each pair is run alone: int8 dynamic quantisation scales activations per tensor, so in a batch a
        pair's probability would move (by up to 0.04) with its batch-mates; alone it costs about the same.
        """
        out = np.zeros(len(pairs), dtype=np.float32)
        # the model reads (sentence, point): the sentence as premise, the point as hypothesis
        encodings = self._tokenizer.encode_batch([(_text(s), _text(p)) for p, s in pairs]) if pairs else []
        for row, encoding in enumerate(encodings):
            inputs = padded([encoding], len(encoding.ids))
            with self._lock:
                logits = self._session.run(["logits"], inputs)[0][0].astype(np.float64)
            odds = np.exp(logits - logits.max())
            out[row] = odds[self._contradiction] / odds.sum()
        return out

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]:
        """A Conflict (kind "model") for each pair whose contradiction probability reaches the threshold."""
        return [
            Conflict("model", f"this reads as the opposite of the key point (judge: {p:.2f})")
            if p >= self.threshold
            else None
            for p in self.probabilities(pairs)
        ]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a judge pair holds two strings, not {type(value).__name__}")
    return value


def _read_config(file: Path) -> dict:  # type: ignore[type-arg]
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot read the judge's config {file}: {exc}") from None
    missing = {"threshold", "max_length", "labels"} - set(config)
    if missing or "contradiction" not in config.get("labels", ()):
        raise ModelUnavailableError(
            f"the judge's config {file} lacks {sorted(missing) or 'a contradiction label'}"
        )
    return config


def _tokenizer(max_length: int):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_padding()  # padded per batch, to that batch's longest pair
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    return tokenizer


def _session(onnx_file: Path, threads: int | None):  # type: ignore[no-untyped-def]
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - a missing or corrupt file means the same thing here
        raise ModelUnavailableError(f"cannot load the judge model {onnx_file}: {exc}") from None
