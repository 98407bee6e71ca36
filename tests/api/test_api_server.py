"""The real thing: `python -m cli serve` in a subprocess on a free loopback port, over HTTP."""

from __future__ import annotations

import signal

import httpx
import pytest
from api_helpers import GOOD_ANSWER, OFF_TOPIC_ANSWER, serve_subprocess

KEY = "server-test-key-5521"

pytestmark = pytest.mark.server


def test_real_server_scores_over_http(tmp_path):
    # a small bank of its own (EVALUATOR_BANK_DIR tested); --port wins over EVALUATOR_PORT
    settings = {"EVALUATOR_API_KEY": KEY, "EVALUATOR_MAX_BODY_BYTES": "4096", "EVALUATOR_PORT": "1"}
    with serve_subprocess(tmp_path, ("fresher-01", "fresher-03"), **settings) as server:
        with httpx.Client(base_url=server.base, timeout=60) as client:
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
    returncode = server.process.returncode
    text = server.log.read_text()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells how it ended.
    assert returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
    assert "POST /v1/evaluations 200" in text and "POST /v1/evaluations 401" in text
    assert "POST /v1/evaluations 413" in text
    assert "Finished server process" in text
    for secret in (KEY, "carbonara", "stacked layers"):
        assert secret not in text
