"""Contract: one error model. Every error of rubric, evaluator and api descends from one root and has a
stable `code` that the API's one table maps to a status; every error response has the one shape, with
an object as `details` (cf. datasette's test_error_shape)."""

from __future__ import annotations

import importlib
import logging
import pickle
import re

import pytest
from api_helpers import ROOT, assert_error
from fastapi.testclient import TestClient

import evaluator
import rubric
import rubric.errors
from api import ERROR_TABLE, ApiError, Settings, create_app
from api.errors import classify, describe
from evaluator import (
    AnswerTooLongError,
    EmptyAnswerError,
    EvaluatorError,
    ModelUnavailableError,
    NotTextError,
)
from rubric import BankFileError, InvalidRubricError, UnknownQuestionError
from rubric.errors import UnknownTopicError

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
    ("GET", "/v1/questions?topic=nope", None, 404, "unknown_topic"),
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
    assert classify(UnknownTopicError("x", ["cnn"])) == (404, "unknown_topic")
    assert classify(EmptyAnswerError("x")) == (422, "empty_answer")
    assert classify(AnswerTooLongError("x")) == (422, "answer_too_long")
    assert classify(NotTextError("x")) == (422, "answer_not_text")
    assert classify(InvalidRubricError("x")) == (422, "invalid_rubric")
    assert classify(BankFileError("q.yaml", "x")) == (422, "invalid_rubric")
    assert classify(ModelUnavailableError("x")) == (503, "model_unavailable")
    assert classify(KeyError("x")) == (500, "internal_error")
    assert set(ERROR_TABLE.values()) == {400, 401, 404, 405, 413, 422, 500, 503}


def _error_classes() -> list[type[EvaluatorError]]:
    """Every error class of the package: the root's subclasses, once all packages are imported."""
    for module in ("api.app", "evaluator.batch", "evaluator.batch.errors", "rubric.build", "rubric.importer"):
        importlib.import_module(module)
    found, pending = [], [EvaluatorError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_rubric_evaluator_and_api_errors_have_one_root():
    assert evaluator.EvaluatorError is rubric.errors.EvaluatorError
    for root in (rubric.RubricError, evaluator.InvalidAnswerError, evaluator.ModelUnavailableError, ApiError):
        assert issubclass(root, evaluator.EvaluatorError), root
    classes = _error_classes()
    assert {UnknownQuestionError, UnknownTopicError, InvalidRubricError, ApiError} <= set(classes)


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_stable_code_that_the_table_maps(cls):
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", cls.code), cls.code
    assert cls.code in ERROR_TABLE, f"{cls.__name__}.code {cls.code!r} is missing from api.errors.ERROR_TABLE"


def test_no_two_error_classes_name_the_same_code():
    own = [cls.__dict__["code"] for cls in _error_classes() if "code" in cls.__dict__]
    assert len(own) == len(set(own)), sorted(own)


@pytest.mark.parametrize(
    "error",
    [
        EvaluatorError("x"),
        EmptyAnswerError("x"),
        InvalidRubricError("x"),
        ApiError("x"),
        UnknownQuestionError("fresher-99", known=45),
        UnknownTopicError("astrology", ["cnn", "optimization"]),
        BankFileError("bank/q.yaml", "not valid YAML"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_details_is_always_a_dict(error):
    assert isinstance(error.details, dict)
    _status, body = describe(error)
    assert body["error"]["details"] == error.details and body["error"]["code"] == error.code


@pytest.mark.parametrize(
    "error",
    [
        UnknownQuestionError("fresher-99", known=45),
        UnknownTopicError("astrology", ["cnn"]),
        BankFileError("q.yaml", "x"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_survive_pickling_with_their_code_and_details(error):
    """As when a worker process sends one back to the caller."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.code, copy.details) == (str(error), error.code, error.details)
    assert vars(copy) == vars(error)


def test_library_errors_carry_their_facts_in_details():
    assert UnknownQuestionError("fresher-99", known=45).details == {"question_id": "fresher-99"}
    assert UnknownTopicError("astrology", ["optimization", "cnn"]).details == {
        "topic": "astrology",
        "topics": ["cnn", "optimization"],
    }
    assert BankFileError("bank/q.yaml", "not valid YAML").details == {"path": "bank/q.yaml"}
    assert EmptyAnswerError("the answer is empty").details == {}


def test_every_code_is_documented_with_its_status():
    rows = {}
    for line in (ROOT / "docs" / "api.md").read_text().splitlines():
        if match := re.match(r"\| `([a-z_]+)` \| (\d{3}|\(in a batch\)) \|", line):
            rows[match[1]] = match[2]
    assert set(rows) == set(ERROR_TABLE), set(rows) ^ set(ERROR_TABLE)
    for code, status in rows.items():
        assert status == "(in a batch)" or int(status) == ERROR_TABLE[code], code


def test_an_unknown_question_speaks_to_the_api_client(client):
    message = assert_error(client.get("/v1/questions/fresher-99"), 404, "unknown_question")["message"]
    assert message.startswith("unknown question id 'fresher-99'")
    assert "GET /v1/questions lists them" in message
    assert "evaluator questions" not in message  # a CLI command means nothing to an API client


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
