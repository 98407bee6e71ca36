"""Helpers of the API tests: sample answers, a ready TestClient, the error-shape assertion."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

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
    return body["error"]
