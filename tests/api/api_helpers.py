"""Helpers of the API tests: sample answers, a ready TestClient, a real server subprocess, the
error-shape assertion."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "rubric" / "data" / "questions"

GOOD_ANSWER = (
    "Deep learning uses neural networks with many stacked layers. The layers learn useful features "
    "from raw data by themselves, while classical machine learning relies on features engineered by hand."
)
READY_TIMEOUT = 300  # seconds; generous, as the machine may be busy: only a hang should trip it
OFF_TOPIC_ANSWER = "My favourite pasta is carbonara with plenty of pecorino and black pepper."


@contextmanager
def running_client(app, *, wait_ready: bool = True) -> Iterator[TestClient]:
    """A TestClient with the lifespan run; by default waits until /readyz says 200."""
    with TestClient(app) as client:
        if wait_ready:
            deadline = time.monotonic() + READY_TIMEOUT
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the app never became ready"
                time.sleep(0.02)
        yield client


def assert_error(response, status: int, code: str) -> dict[str, Any]:
    """The response is the one error shape with this status and code; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict), body  # always an object, `{}` when empty
    return body["error"]


@dataclass(frozen=True)
class LiveServer:
    base: str
    process: subprocess.Popen
    log: Path


@contextmanager
def serve_subprocess(folder: Path, question_ids: tuple[str, ...], **settings: str) -> Iterator[LiveServer]:
    """`python -m cli serve --port P` on a free loopback port, with a bank of `question_ids`
    (a quicker warm-up) and these EVALUATOR_* settings; ready when yielded, stopped with SIGTERM after."""
    bank = folder / "bank"
    bank.mkdir()
    for question_id in question_ids:
        shutil.copy(BANK / f"{question_id}.yaml", bank)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env.update(settings, EVALUATOR_BANK_DIR=str(bank))
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_ready(server.base, server.process, server.log)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(base: str, process: subprocess.Popen, log: Path) -> None:
    """Poll `base`/readyz until 200; fail with the server's log if it dies or never gets ready."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server died:\n{log.read_text(errors='replace')}"
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server never became ready:\n{log.read_text(errors='replace')}")
