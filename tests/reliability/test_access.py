"""Access control on a real server: the API key on every route, a constant-time comparison, the key in no
log line and no error body, CORS only as configured, YAML parsed safely, and no request reading a file."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from reliability_helpers import BANK, GOOD_ANSWER, assert_error, clean_env, running_server, small_bank
from starlette.routing import BaseRoute, Route
from starlette.testclient import TestClient

import api.deps
from api import Settings, create_app
from evaluator import Evaluator
from rubric import BankFileError, load_bank

pytestmark = [pytest.mark.server, pytest.mark.model]

KEY = "Kx7-reliability-key-0d41e9"
ORIGIN = "http://localhost:5173"
# Public without the key: liveness, readiness, the practice page and its files, the API docs.
PUBLIC = {"/healthz", "/readyz", "/", "/static/{name}", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
PATH_VALUES = {"question_id": "fresher-01", "name": "index.html"}
SECRET_NAME = "reliability-secret"  # a real question file outside the bank: no request may open it
# Runs first in the server process: reports every file and folder the process opens or lists (except
# Python's own modules), so the test sees whether a request made it read anything.
AUDIT = """
import os, sys
def _report(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if not path.endswith((".py", ".pyc", ".so")):
            print(f"AUDIT {event} {path}", file=sys.stderr, flush=True)
sys.addaudithook(_report)
"""


def routes() -> Iterator[tuple[str, str]]:
    """(method, path template) of every route the app has, the hidden ones included."""
    for route in _flatten(create_app(Settings(api_key=KEY)).routes):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            yield method, route.path


def _flatten(routes: list[BaseRoute]) -> Iterator[Route]:
    for route in routes:
        included = getattr(route, "original_router", None)  # recent FastAPI keeps an included router whole
        if included is not None:
            yield from _flatten(included.routes)
        elif isinstance(route, Route):
            yield route


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m[1]], path)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    secret = folder / "outside" / f"{SECRET_NAME}.yaml"
    secret.parent.mkdir()
    secret.write_text((BANK / "fresher-01.yaml").read_text().replace("fresher-01", SECRET_NAME))
    env = clean_env(
        EVALUATOR_API_KEY=KEY,
        EVALUATOR_BANK_DIR=str(small_bank(folder / "bank")),
        EVALUATOR_CORS_ORIGINS=ORIGIN,
        EVALUATOR_LOG_LEVEL="debug",
    )
    with running_server(folder / "server.log", env, prelude=AUDIT) as server:
        server.secret = secret
        yield server


def test_every_route_but_the_public_ones_needs_the_key(server):
    guarded = [(m, p) for m, p in routes() if p not in PUBLIC]
    assert {p for _, p in guarded} >= {"/v1/evaluations", "/v1/evaluations/batch", "/v1/questions"}
    with server.client() as client:
        for method, path in guarded:
            for headers in ({}, {"X-API-Key": "wrong"}, {"X-API-Key": KEY[:-1]}, {"X-API-Key": KEY + "0"}):
                response = client.request(method, concrete(path), json={}, headers=headers)
                assert_error(response, 401, "unauthorized")
                assert response.headers["www-authenticate"] == "ApiKey"
                assert KEY not in response.text
            with_key = client.request(method, concrete(path), json={}, headers={"X-API-Key": KEY})
            assert with_key.status_code != 401, (method, path)
        for method, path in [(m, p) for m, p in routes() if p in PUBLIC]:
            response = client.request(method, concrete(path))
            assert response.status_code == 200, (method, path, response.text[:200])
            assert KEY not in response.text


def test_the_key_is_in_no_log_line_and_no_error_body(server):
    bodies = []
    with server.client() as client:
        for headers in ({"X-API-Key": KEY}, {"X-API-Key": KEY.upper()}, {}):
            for request in (
                {"json": {"question_id": "nope", "answer": GOOD_ANSWER}},
                {"json": {"question_id": "fresher-01", "answer": ""}},
                {"json": {"question_id": "fresher-01", "answer": 3}},
                {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            ):
                kwargs = {**request, "headers": {**request.get("headers", {}), **headers}}
                bodies.append(client.post("/v1/evaluations", **kwargs).text)
        assert client.get("/v1/questions", headers={"X-API-Key": KEY}).status_code == 200
    for text in bodies:
        assert '"error"' in text and KEY not in text and KEY.upper() not in text
    log = server.log_text()
    assert "POST /v1/evaluations 401" in log and "POST /v1/evaluations 404" in log  # the log is captured
    assert KEY not in log and KEY.upper() not in log


def test_cors_answers_the_configured_origin_only(server):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}
    with server.client() as client:
        allowed = client.options("/v1/evaluations", headers={"Origin": ORIGIN, **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        other = client.options("/v1/evaluations", headers={"Origin": "http://evil.example", **preflight})
        assert "access-control-allow-origin" not in other.headers
        simple = client.get("/healthz", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in simple.headers


PATH_LIKE = [
    "../../etc/passwd",
    "/etc/passwd",
    "....//....//etc/passwd",
    f"../outside/{SECRET_NAME}",
    f"../outside/{SECRET_NAME}.yaml",
    SECRET_NAME,
    "~/.ssh/id_rsa",
    "file:///etc/passwd",
]


def test_no_request_makes_the_server_read_a_file(server):
    headers = {"X-API-Key": KEY}
    with server.client(headers=headers) as client:
        # Warm up first: the page's own files are read once, on the first request for them.
        assert client.post("/v1/evaluations", json={"question_id": "fresher-01", "answer": GOOD_ANSWER}).is_success
        assert client.get("/").is_success and client.get("/v1/questions/nope").status_code == 404
        before = len(server.log_text().splitlines())
        ids = [*PATH_LIKE, str(server.secret), str(server.secret.with_suffix(""))]
        for question_id in ids:
            assert_error(
                client.post("/v1/evaluations", json={"question_id": question_id, "answer": GOOD_ANSWER}),
                404,
                "unknown_question",
            )
            batch = client.post(
                "/v1/evaluations/batch", json={"items": [{"question_id": question_id, "answer": GOOD_ANSWER}]}
            )
            assert batch.json()["results"][0]["error"]["code"] == "unknown_question"
            for prefix in ("/v1/questions/", "/static/"):
                for path in (prefix + quote(question_id, safe=""), prefix + question_id):
                    response = client.get(path)
                    assert response.status_code == 404 and "root:" not in response.text, path
        assert client.get("/v1/questions/" + SECRET_NAME).status_code == 404
    opened = [line for line in server.log_text().splitlines()[before:] if line.startswith("AUDIT ")]
    assert opened == [], opened
    assert "AUDIT open" in server.log_text()  # the audit hook does report (the bank files at startup)


def test_the_key_is_compared_in_constant_time(monkeypatch, hashing_embedder):
    compared: list[tuple[bytes, bytes]] = []
    real = api.deps.hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(api.deps.hmac, "compare_digest", spy)
    evaluator = Evaluator(embedder=hashing_embedder, bank=load_bank())
    with TestClient(create_app(Settings(api_key=KEY), evaluator=evaluator)) as client:
        for given in ("x", KEY[:-1], KEY + "x", "y" * len(KEY), KEY):
            status = client.get("/v1/questions", headers={"X-API-Key": given}).status_code
            assert status == (200 if given == KEY else 401)
    # Every given key, whatever its length, went through hmac.compare_digest against the configured key.
    assert [given.decode() for given, _ in compared] == ["x", KEY[:-1], KEY + "x", "y" * len(KEY), KEY]
    assert {expected for _, expected in compared} == {KEY.encode()}


EVIL_YAML = """id: evil
text: What happens here?
key_points: !!python/object/apply:os.system ["touch {marker}"]
"""


def test_question_files_are_parsed_with_a_safe_yaml_loader(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    marker = tmp_path / "pwned"
    (bank / "evil.yaml").write_text(EVIL_YAML.format(marker=marker))
    with pytest.raises(BankFileError, match="python/object/apply"):
        load_bank(bank)
    serve = subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--port", "1"],
        env=clean_env(EVALUATOR_BANK_DIR=str(bank)), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert serve.returncode == 2
    assert serve.stderr.startswith("evaluator: error: ") and "python/object/apply" in serve.stderr
    assert not marker.exists()


def test_transcript_front_matter_is_parsed_with_a_safe_yaml_loader(tmp_path):
    from evaluator.batch import read_inputs

    marker = tmp_path / "pwned"
    transcript = tmp_path / "interview.md"
    transcript.write_text(
        f'---\ncandidate: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
        "Interviewer: What is dropout?\nCandidate: Dropout switches off random neurons.\n"
    )
    items = list(read_inputs([transcript]))
    assert "front matter is not valid YAML" in items[0].reason
    assert not marker.exists()
