"""The ONNX copy of the bundled model: where it lives, and its one-time export from the torch weights.

The transformer (token ids -> token vectors) is exported with torch's ONNX exporter, checked against
torch on a probe sentence, and optionally int8-quantised with ONNX Runtime's dynamic quantisation.
Pooling and normalisation stay outside the graph (evaluator.onnx_embedding does them in numpy).

Files go to a cache folder, EVALUATOR_ONNX_DIR or ~/.cache/interview-evaluator/onnx, in a
sub-folder named by a fingerprint of the model folder, so a changed model is exported afresh.
Each file is written under a temporary name and renamed into place: a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evaluator.errors import ModelUnavailableError

log = logging.getLogger(__name__)

ONNX_DIR_VARIABLE = "EVALUATOR_ONNX_DIR"
EXPORT_FORMAT = 1  # bump when the exported graph changes, so old cached files are not reused
FP32_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "token_embeddings"
PROBE = "Dropout zeroes random activations during training, which reduces overfitting."
MAX_EXPORT_ERROR = 1e-4  # largest difference allowed between torch's and ONNX's token vectors


def default_onnx_dir() -> Path:
    """EVALUATOR_ONNX_DIR, else the user's cache folder."""
    configured = os.environ.get(ONNX_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache) / "interview-evaluator" / "onnx"


def model_fingerprint(model_path: Path) -> str:
    """A short hash of what determines the exported graph: the configs, and each weight file's size
    and first and last MiB (cheap enough for every start, and unchanged by a reinstall)."""
    digest = hashlib.sha256(f"format {EXPORT_FORMAT}\n".encode())
    for name in ("config.json", "sentence_bert_config.json", "modules.json"):
        file = model_path / name
        digest.update(name.encode() + (file.read_bytes() if file.is_file() else b"-"))
    for file in sorted(model_path.glob("*.safetensors")) + sorted(model_path.glob("*.bin")):
        size = file.stat().st_size
        digest.update(f"{file.name} {size}".encode())
        with file.open("rb") as weights:
            digest.update(weights.read(_SAMPLE_BYTES))
            weights.seek(max(0, size - _SAMPLE_BYTES))
            digest.update(weights.read(_SAMPLE_BYTES))
    return digest.hexdigest()[:16]


_SAMPLE_BYTES = 1 << 20


def onnx_model_file(model_path: Path, quantized: bool = False, onnx_dir: Path | None = None) -> Path:
    """Where the ONNX file of `model_path` is (or will be) cached."""
    folder = (onnx_dir if onnx_dir is not None else default_onnx_dir()) / model_fingerprint(model_path)
    return folder / (INT8_FILE if quantized else FP32_FILE)


def ensure_onnx_model(model_path: Path, quantized: bool = False, onnx_dir: Path | None = None) -> Path:
    """The cached ONNX file for `model_path`, exported (and quantised) first if it is not there yet."""
    target = onnx_model_file(model_path, quantized, onnx_dir)
    if target.is_file():
        return target
    fp32 = target.with_name(FP32_FILE)
    if not fp32.is_file():
        log.warning("exporting the model to ONNX once, into %s (takes a minute)", fp32.parent)
        export_onnx(model_path, fp32)
    if quantized:
        quantize_onnx(fp32, target)
    return target


def export_onnx(model_path: Path, destination: Path) -> None:
    """Export the transformer of the sentence-transformer folder `model_path` to `destination`."""
    with _written_atomically(destination) as partial:  # an unwritable cache fails here, before the work
        try:
            import onnxscript  # noqa: F401 - torch's exporter needs it (and onnx)
            import torch
        except ImportError as exc:
            raise ModelUnavailableError(f"exporting to ONNX needs torch, onnx and onnxscript: {exc}") from None
        from evaluator.embedding import _load_sentence_transformer

        transformer = _load_sentence_transformer(model_path, "cpu")[0].auto_model.eval()
        batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=512)
        example = {name: torch.ones((2, 8), dtype=torch.long) for name in INPUT_NAMES}
        example["token_type_ids"] = torch.zeros((2, 8), dtype=torch.long)
        try:
            with torch.no_grad(), _quiet():
                program = torch.onnx.export(
                    _token_embeddings_module(transformer),
                    kwargs=example,
                    input_names=list(INPUT_NAMES),
                    output_names=[OUTPUT_NAME],
                    dynamic_shapes={name: {0: batch, 1: sequence} for name in INPUT_NAMES},
                    dynamo=True,
                    external_data=False,
                    verbose=False,
                )
            program.save(str(partial), external_data=False)
        except Exception as exc:  # noqa: BLE001 - any exporter failure means the same thing here
            raise ModelUnavailableError(f"cannot export the model at {model_path} to ONNX: {exc}") from None
        _check_against_torch(partial, transformer, model_path)


def quantize_onnx(source: Path, destination: Path) -> None:
    """Write an int8 copy of the ONNX model `source`: dynamic quantisation, weights per channel and
    in 7 bits (reduce_range), which keeps the vectors closer to fp32 on CPUs without VNNI."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelUnavailableError(f"quantising needs onnxruntime and onnx: {exc}") from None
    with _written_atomically(destination) as partial:
        try:
            with _quiet():
                quantize_dynamic(
                    source, partial, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
                )
        except Exception as exc:  # noqa: BLE001
            raise ModelUnavailableError(f"cannot quantise {source}: {exc}") from None


def _token_embeddings_module(transformer):  # type: ignore[no-untyped-def]
    """The transformer as a module of three tensors -> last hidden state (what the export traces)."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    return TokenEmbeddings().eval()


def _check_against_torch(onnx_file: Path, transformer, model_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Refuse an export whose token vectors differ from torch's on a probe sentence."""
    import numpy as np
    import torch
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    tokenizer.no_padding()
    encoding = tokenizer.encode(PROBE)
    inputs = {
        "input_ids": np.array([encoding.ids], dtype=np.int64),
        "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
        "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
    }
    from evaluator.onnx_embedding import _session

    got = _session(onnx_file, threads=None).run([OUTPUT_NAME], inputs)[0]
    with torch.no_grad():
        want = transformer(**{k: torch.from_numpy(v) for k, v in inputs.items()}).last_hidden_state.numpy()
    error = float(np.abs(got - want).max())
    if not error <= MAX_EXPORT_ERROR:
        raise ModelUnavailableError(
            f"the ONNX export of {model_path} differs from torch by {error:.2g} (> {MAX_EXPORT_ERROR})"
        )


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporter's and quantiser's advice (warnings and root-logger chatter) meanwhile."""
    loggers = [logging.getLogger(), logging.getLogger("torch.onnx"), logging.getLogger("torch.export")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


@contextmanager
def _written_atomically(destination: Path) -> Iterator[Path]:
    """A temporary path beside `destination`, renamed onto it if the block succeeds."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
        os.close(handle)
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot write the ONNX model into {destination.parent}: {exc.strerror or exc}; "
            f"set {ONNX_DIR_VARIABLE} to a writable folder"
        ) from None
    partial = Path(name)
    try:
        yield partial
        os.chmod(partial, 0o644)  # mkstemp makes it private; the cache is for every user of the model
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
