"""Contract: every error status the API can answer has the one error shape (cf. datasette)."""

from __future__ import annotations

import logging

import pytest
from api_helpers import assert_error
from fastapi.testclient import TestClient

from api import ERROR_TABLE, Settings, create_app
from api.errors import classify
from evaluator import AnswerTooLongError, EmptyAnswerError, ModelUnavailableError, NotTextError
from rubric import InvalidRubricError, UnknownQuestionError

CASES = [
    ("GET", "/no/such/route", None, 404, "not_found"),
    ("DELETE", "/v1/evaluations", None, 405, "method_not_allowed"),
    ("GET", "/v1/evaluations", None, 405, "method_not_allowed"),
    ("GET", "/v1/questions/nope", None, 404, "unknown_question"),
    ("POST", "/v1/evaluations", {"question_id": "nope", "answer": "x y"}, 404, "unknown_question"),
    ("POST", "/v1/evaluations", {"question_id": "fresher-01", "answer": ""}, 422, "empty_answer"),
    ("POST", "/v1/evaluations", {"question_id": "fresher-01"}, 422, "invalid_request"),
    ("POST", "/v1/evaluations", b"{not json", 422, "invalid_json"),
    (
        "POST",
        "/v1/evaluations/batch",
        {"items": [{"question_id": "a", "answer": "b"}] * 65},
        413,
        "too_many_items",
    ),
    ("POST", "/v1/evaluations", b" " * 1_100_000, 413, "body_too_large"),
    ("GET", "/v1/questions?level=nope", None, 422, "invalid_request"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), CASES)
def test_every_error_has_the_one_shape(client, method, path, body, status, code):
    kwargs = (
        {"content": body, "headers": {"Content-Type": "application/json"}}
        if isinstance(body, bytes)
        else {"json": body}
    )
    assert_error(client.request(method, path, **kwargs), status, code)


def test_405_says_what_is_allowed(client):
    response = client.delete("/v1/evaluations")
    assert response.headers["allow"] == "POST"


def test_the_table_maps_library_errors():
    assert classify(UnknownQuestionError("x")) == (404, "unknown_question")
    assert classify(EmptyAnswerError("x")) == (422, "empty_answer")
    assert classify(AnswerTooLongError("x")) == (422, "answer_too_long")
    assert classify(NotTextError("x")) == (422, "answer_not_text")
    assert classify(InvalidRubricError("x")) == (422, "invalid_rubric")
    assert classify(ModelUnavailableError("x")) == (503, "model_unavailable")
    assert classify(KeyError("x")) == (500, "internal_error")
    assert {status for status, _ in ERROR_TABLE.values()} == {401, 404, 413, 422, 500, 503}


def test_an_unexpected_error_is_500_in_the_shape_without_internals(real_evaluator, caplog):
    caplog.set_level(logging.INFO, logger="api.access")
    app = create_app(Settings(), evaluator=real_evaluator)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail /secret/path")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert_error(response, 500, "internal_error")
    assert "/secret/path" not in response.text
    assert any(r.getMessage().startswith("GET /boom 500 ") for r in caplog.records if r.name == "api.access")
