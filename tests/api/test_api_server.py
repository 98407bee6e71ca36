"""The real thing: `python -m evaluator serve` in a subprocess on a free loopback port, over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_helpers import GOOD_ANSWER, OFF_TOPIC_ANSWER, READY_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "rubric" / "data" / "questions"
KEY = "server-test-key-5521"

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server died:\n{log.read_text()}"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server never became ready:\n{log.read_text()}")


def test_real_server_scores_over_http(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    bank = tmp_path / "bank"  # a small bank of its own: a quicker warm-up, and EVALUATOR_BANK_DIR tested
    bank.mkdir()
    for question_id in ("fresher-01", "fresher-03"):
        shutil.copy(BANK / f"{question_id}.yaml", bank)
    env.update(
        EVALUATOR_API_KEY=KEY,
        EVALUATOR_BANK_DIR=str(bank),
        EVALUATOR_MAX_BODY_BYTES="4096",
        EVALUATOR_PORT="1",  # --port wins
    )
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "evaluator", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(base, process, log)
        with httpx.Client(base_url=base, timeout=60) as client:
            assert client.get("/healthz").json()["status"] == "ok"
            assert client.get("/readyz").json()["questions"] == 2
            body = {"question_id": "fresher-01", "answer": GOOD_ANSWER}
            assert client.post("/v1/evaluations", json=body).json()["error"]["code"] == "unauthorized"

            headers = {"X-API-Key": KEY}
            good = client.post("/v1/evaluations", json=body, headers=headers)
            assert good.status_code == 200, good.text
            assert good.json()["question_id"] == "fresher-01"
            bad = client.post("/v1/evaluations", json={**body, "answer": OFF_TOPIC_ANSWER}, headers=headers)
            assert good.json()["score"] > bad.json()["score"]

            streamed = client.post(
                "/v1/evaluations",
                content=(b" " * 1000 for _ in range(10)),  # chunked: no Content-Length, 10 kB > 4096 bytes
                headers={**headers, "Content-Type": "application/json"},
            )
            assert streamed.status_code == 413
            assert streamed.json()["error"]["code"] == "body_too_large"
    finally:
        process.terminate()
        returncode = process.wait(timeout=60)
    text = log.read_text()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells how it ended.
    assert returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
    assert "POST /v1/evaluations 200" in text and "POST /v1/evaluations 401" in text
    assert "POST /v1/evaluations 413" in text
    assert "Finished server process" in text
    for secret in (KEY, "carbonara", "stacked layers"):
        assert secret not in text
