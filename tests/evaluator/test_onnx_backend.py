"""The ONNX Runtime backends against torch, backend selection, the export cache, and no torch import.

The ONNX file comes from the same cache `make serve` uses (exported on first use, so a clean
machine exercises the export here); int8 is quantised afresh from it into a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import httpx
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evaluator import Evaluator, ModelUnavailableError
from evaluator.embedding import (
    DEFAULT_BACKEND,
    SentenceTransformerEmbedder,
    bundled_model_path,
    make_embedder,
    resolve_backend,
    resolve_threads,
)
from evaluator.onnx_embedding import OnnxEmbedder, _similar_length_batches
from evaluator.onnx_export import ensure_onnx_model, model_fingerprint, onnx_model_file, quantize_onnx

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))  # the API tests' real-server helper

from api_helpers import serve_subprocess  # noqa: E402

LONG = " ".join(["Gradient clipping rescales the gradient when its norm exceeds a threshold."] * 40)
TEXTS = [
    "Dropout randomly zeroes activations during training, which reduces overfitting.",
    "Batch normalisation normalises each mini-batch, then scales and shifts it.",
    "ok",
    "  Residual connections   let gradients flow through very deep networks.  ",
    "Ünïcödé text — with “quotes”, emoji 😀 and CJK 注意力机制.",
    "The learning rate warm-up avoids large, unstable updates early in training.",
    LONG,  # more than 256 tokens: truncated the same way as sentence-transformers
]


@pytest.fixture(scope="session")
def torch_embedder() -> SentenceTransformerEmbedder:
    return make_embedder("torch")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def torch_evaluator(real_evaluator, torch_embedder) -> Evaluator:
    return Evaluator(embedder=torch_embedder, bank=real_evaluator.bank)


@pytest.fixture(scope="session")
def onnx_embedder() -> OnnxEmbedder:
    return make_embedder("onnx")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def int8_embedder(onnx_embedder, tmp_path_factory) -> OnnxEmbedder:
    file = tmp_path_factory.mktemp("int8") / "model_int8.onnx"
    quantize_onnx(onnx_embedder.onnx_file, file)
    return OnnxEmbedder(quantized=True, onnx_file=file)


def test_fp32_vectors_match_torch(onnx_embedder, torch_embedder):
    got, want = onnx_embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert got.shape == want.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(got - want).max()) < 1e-4
    assert onnx_embedder.max_tokens == torch_embedder.max_tokens == 256


def test_truncation_matches_sentence_transformers(onnx_embedder, torch_embedder):
    longer = LONG + " Completely different closing words about convolutional filters and pooling."
    a, b = onnx_embedder.encode([LONG, longer])
    assert float(a @ b) > 0.99999  # the tail past 256 tokens is cut off, as in torch
    assert float(np.abs(onnx_embedder.encode([longer]) - torch_embedder.encode([longer])).max()) < 1e-4


def test_deterministic_and_independent_of_batching_and_order(onnx_embedder):
    once = onnx_embedder.encode(TEXTS)
    assert np.array_equal(once, onnx_embedder.encode(TEXTS))
    one_by_one = np.vstack([onnx_embedder.encode([t]) for t in TEXTS])
    assert float(np.abs(once - one_by_one).max()) < 1e-5
    reverse = onnx_embedder.encode(TEXTS[::-1])[::-1]
    assert float(np.abs(once - reverse).max()) < 1e-5
    assert onnx_embedder.encode([]).shape == (0, 384)


def test_batches_group_texts_of_similar_length():
    lengths = np.array([10, 50, 9, 48, 30, 31, 5, 100, 49])
    batches = _similar_length_batches(lengths, batch_size=2)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))  # each row once
    assert [lengths[b].tolist() for b in batches] == [[100], [50, 49], [48], [31, 30], [10, 9], [5]]
    assert len(_similar_length_batches(np.full(130, 12), batch_size=64)) == 3  # only full batches split


def test_int8_stays_close_to_torch(int8_embedder, torch_embedder):
    got, want = int8_embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * want).sum(axis=1)
    assert cosine.min() > 0.95, cosine
    assert float(np.abs(got - want).max()) > 1e-4  # really quantised: not the fp32 model


def test_scores_agree_across_backends(torch_evaluator, onnx_embedder, int8_embedder):
    question = torch_evaluator.bank.get("fresher-01")
    points = [p.phrasings[0] for p in question.key_points]
    answers = [
        " ".join(points),  # every point
        points[0],  # one point
        "I would tune the learning rate and add more layers until it works.",  # vague
        "Photosynthesis turns light into chemical energy in plants.",  # unrelated
    ]
    scores = {}
    for name, embedder in (("onnx", onnx_embedder), ("onnx-int8", int8_embedder)):
        evaluator = Evaluator(embedder=embedder, bank=torch_evaluator.bank)
        scores[name] = [evaluator.evaluate(a, question_id=question.id).score for a in answers]
    torch_scores = [torch_evaluator.evaluate(a, question_id=question.id).score for a in answers]
    assert np.allclose(scores["onnx"], torch_scores, atol=1e-3), (scores, torch_scores)
    assert np.allclose(scores["onnx-int8"], torch_scores, atol=0.1), (scores, torch_scores)
    assert scores["onnx-int8"][0] > scores["onnx-int8"][1] > scores["onnx-int8"][3]


def test_backend_and_threads_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("EVALUATOR_BACKEND", raising=False)
    monkeypatch.delenv("EVALUATOR_THREADS", raising=False)
    assert resolve_backend() == DEFAULT_BACKEND == "onnx"
    assert resolve_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("EVALUATOR_BACKEND", "ONNX-int8")
    monkeypatch.setenv("EVALUATOR_THREADS", "1")
    assert (resolve_backend(), resolve_threads()) == ("onnx-int8", 1)
    assert (resolve_backend("onnx"), resolve_threads(2)) == ("onnx", 2)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("EVALUATOR_BACKEND", "tensorflow", "EVALUATOR_BACKEND 'tensorflow' is not one of: torch, onnx, onnx-int8"),
        ("EVALUATOR_THREADS", "two", "EVALUATOR_THREADS must be a whole number of at least 1, not 'two'"),
        ("EVALUATOR_THREADS", "0", "EVALUATOR_THREADS must be a whole number of at least 1, not '0'"),
    ],
)
def test_bad_backend_settings_are_refused_precisely(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ModelUnavailableError) as error:
        make_embedder()
    assert str(error.value) == message


def test_threads_reach_onnx_runtime(onnx_embedder):
    one = OnnxEmbedder(onnx_file=onnx_embedder.onnx_file, threads=1)
    assert one._session.get_session_options().intra_op_num_threads == 1
    assert np.array_equal(one.encode(TEXTS[:2]), OnnxEmbedder(onnx_file=one.onnx_file, threads=1).encode(TEXTS[:2]))


def test_unwritable_cache_fails_fast_with_a_clear_message(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    loaded = []  # refused before loading (or exporting) anything
    monkeypatch.setattr("evaluator.embedding._load_sentence_transformer", lambda *args: loaded.append(args))
    with pytest.raises(ModelUnavailableError, match="cannot write the ONNX model into .*set EVALUATOR_ONNX_DIR"):
        ensure_onnx_model(bundled_model_path(), onnx_dir=blocker)
    assert loaded == []
    assert blocker.read_text() == ""


def test_corrupt_onnx_file_is_reported(tmp_path):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="cannot load the ONNX model .*delete it to export it again"):
        OnnxEmbedder(onnx_file=broken)


def test_cache_is_keyed_by_the_model_files(tmp_path):
    bundled = bundled_model_path()
    copy = tmp_path / "model"
    copy.mkdir()
    for file in bundled.iterdir():
        if file.is_file():
            (copy / file.name).symlink_to(file)
    assert model_fingerprint(copy) == model_fingerprint(bundled)
    (copy / "config.json").unlink()
    config = json.loads((bundled / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 5}))
    assert model_fingerprint(copy) != model_fingerprint(bundled)
    assert onnx_model_file(copy, onnx_dir=tmp_path).parent != onnx_model_file(bundled, onnx_dir=tmp_path).parent


def test_export_onnx_command_reuses_the_cache(onnx_embedder, tmp_path):
    target = onnx_model_file(bundled_model_path(), onnx_dir=tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copyfile(onnx_embedder.onnx_file, target)
    done = subprocess.run(
        [sys.executable, "-m", "cli", "export-onnx", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"onnx: {target}", f"onnx-int8: {target.with_name('model_int8.onnx')}"]
    assert OnnxEmbedder(quantized=True, onnx_dir=tmp_path).onnx_file == target.with_name("model_int8.onnx")


def test_onnx_backend_never_imports_torch(onnx_embedder):
    code = (
        "import sys, evaluator, rubric, api.app, evaluator.batch, cli; "
        "from evaluator import Evaluator; e = Evaluator(); "
        "r = e.evaluate('Dropout zeroes random activations while training.', question_id='fresher-01'); "
        "print(type(e.embedder.inner).__name__, 0 <= r.score <= 1, "
        "sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    env = {**os.environ, "EVALUATOR_BACKEND": "onnx"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["OnnxEmbedder", "True", "[]"]


def test_server_on_the_onnx_backend(onnx_embedder, tmp_path):
    with serve_subprocess(tmp_path, ("fresher-01",), EVALUATOR_BACKEND="onnx", EVALUATOR_THREADS="1") as server:
        maps = Path(f"/proc/{server.process.pid}/maps").read_text()
        assert "onnxruntime" in maps and "libtorch" not in maps
        body = {"question_id": "fresher-01", "answer": "Dropout zeroes random activations while training."}
        response = httpx.post(f"{server.base}/v1/evaluations", json=body, timeout=30)
        assert response.status_code == 200, response.text
        assert 0.0 <= response.json()["score"] <= 1.0
