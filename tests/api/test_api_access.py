"""API key, body limit, CORS and the access log."""

from __future__ import annotations

import logging

import pytest
from api_helpers import GOOD_ANSWER, assert_error, running_client

from api import Settings, create_app

KEY = "s3cret-key-for-tests"
BODY = {"question_id": "fresher-01", "answer": GOOD_ANSWER}


@pytest.fixture(scope="module")
def keyed_client(real_evaluator):
    with running_client(create_app(Settings(api_key=KEY), evaluator=real_evaluator)) as client:
        yield client


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": KEY + "x"}, {"X-API-Key": ""}])
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", "/v1/evaluations", BODY),
        ("POST", "/v1/evaluations/batch", {"items": [BODY]}),
        ("GET", "/v1/questions", None),
        ("GET", "/v1/questions/fresher-01", None),
    ],
)
def test_401_without_the_right_key(keyed_client, headers, method, path, json):
    response = keyed_client.request(method, path, json=json, headers=headers)
    error = assert_error(response, 401, "unauthorized")
    assert "X-API-Key" in error["message"]
    assert KEY not in response.text


def test_the_right_key_passes(keyed_client):
    assert keyed_client.post("/v1/evaluations", json=BODY, headers={"X-API-Key": KEY}).status_code == 200
    assert keyed_client.get("/v1/questions", headers={"X-API-Key": KEY}).status_code == 200


def test_health_and_docs_need_no_key(keyed_client):
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs", "/redoc", "/"):
        assert keyed_client.get(path).status_code == 200, path


def test_the_key_is_checked_before_the_body(keyed_client):
    assert_error(keyed_client.post("/v1/evaluations", json={"answer": 3}), 401, "unauthorized")


@pytest.fixture(scope="module")
def keyed_small_body_client(real_evaluator):
    settings = Settings(api_key=KEY, max_body_bytes=2000)
    with running_client(create_app(settings, evaluator=real_evaluator)) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"question_id": "fresher-01", "answer": ', 422, "invalid_json"),
        (b"\xff\xfe not UTF-8", 422, "invalid_json"),
        (b'{"answer": "' + b"a" * 3000 + b'"}', 413, "body_too_large"),
    ],
    ids=["malformed JSON", "not UTF-8", "oversized"],
)
def test_without_the_key_a_bad_body_is_401_first(keyed_small_body_client, body, status, code):
    """A client without the key learns that first, not what is wrong with its body; with the key,
    the same body gets its own error."""
    headers = {"Content-Type": "application/json"}
    for sent in ({}, {"X-API-Key": "wrong"}):
        response = keyed_small_body_client.post("/v1/evaluations", content=body, headers={**headers, **sent})
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "ApiKey"
    keyed = keyed_small_body_client.post(
        "/v1/evaluations", content=body, headers={**headers, "X-API-Key": KEY}
    )
    assert_error(keyed, status, code)


def test_every_v1_route_needs_the_key_and_no_other_does(keyed_client):
    """The key is checked by path prefix, before routing: that prefix must cover exactly the API."""
    for route in keyed_client.app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/v1"):
            url = path.replace("{question_id}", "fresher-01")
            for method in route.methods:
                assert_error(keyed_client.request(method, url), 401, "unauthorized")
        elif "{" not in path and "GET" in getattr(route, "methods", ()):
            assert keyed_client.get(path).status_code == 200, path


def test_no_key_configured_means_open(client):
    assert client.get("/v1/questions").status_code == 200


@pytest.fixture(scope="module")
def small_body_client(real_evaluator):
    with running_client(create_app(Settings(max_body_bytes=2000), evaluator=real_evaluator)) as client:
        yield client


def test_413_on_a_declared_length_over_the_limit(small_body_client):
    response = small_body_client.post(
        "/v1/evaluations", json={"question_id": "fresher-01", "answer": "a" * 3000}
    )
    error = assert_error(response, 413, "body_too_large")
    assert error["details"] == {"max_bytes": 2000}


def test_413_on_a_streamed_body_over_the_limit(small_body_client):
    def chunks():  # no Content-Length: the bytes are counted as they come
        for _ in range(100):
            yield b"x" * 500

    response = small_body_client.post(
        "/v1/evaluations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "body_too_large")


def test_413_is_decided_before_parsing(small_body_client):
    # Not JSON at all: a parser would say 422; the size check answers first.
    response = small_body_client.post(
        "/v1/evaluations", content=b"{" * 5000, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "body_too_large")


def test_a_body_within_the_limit_passes(small_body_client):
    def chunks():
        yield b'{"question_id": "fresher-01", '
        yield b'"answer": "Deep learning stacks many layers."}'

    response = small_body_client.post(
        "/v1/evaluations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text


def test_default_body_limit_is_one_mebibyte(client):
    response = client.post(
        "/v1/evaluations", content=b" " * (1_048_576 + 1), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "body_too_large")


def test_cors_origins_from_settings(real_evaluator):
    app = create_app(Settings(cors_origins=("http://localhost:3000",)), evaluator=real_evaluator)
    with running_client(app) as client:
        preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
        response = client.options("/v1/evaluations", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = client.get("/healthz", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_no_cors_by_default(client):
    response = client.get("/healthz", headers={"Origin": "http://localhost:3000"})
    assert "access-control-allow-origin" not in response.headers


def test_each_request_is_logged_in_one_line_without_answer_or_key(keyed_client, caplog):
    secret_answer = "Deep learning uses many layers; zebra-marker-7731 must not reach the log."
    with caplog.at_level(logging.INFO, logger="api.access"):
        keyed_client.post(
            "/v1/evaluations",
            json={"question_id": "fresher-01", "answer": secret_answer},
            headers={"X-API-Key": KEY},
        )
        keyed_client.get("/v1/questions/no-such-id?include_reference=true", headers={"X-API-Key": KEY})
        keyed_client.get("/v1/questions", headers={"X-API-Key": "wrong-key-0042"})
    lines = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert len(lines) == 3
    assert lines[0].startswith("POST /v1/evaluations 200 ") and lines[0].endswith("ms")
    assert lines[1].startswith("GET /v1/questions/no-such-id 404 ")
    assert lines[2].startswith("GET /v1/questions 401 ")
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("zebra-marker-7731", KEY, "wrong-key-0042", "include_reference"):
        assert secret not in everything
