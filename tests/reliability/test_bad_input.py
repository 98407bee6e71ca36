"""Hostile and broken input, as one table: each gets its documented 4xx in the one error shape (or, through
the batch CLI, an error line with its line number), and the real server answers a good request after it."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import GOOD_ANSWER, ROOT, assert_error, clean_env, running_server, small_bank

from evaluator.batch import read_records
from evaluator.batch.output import ERROR_FIELDS

pytestmark = [pytest.mark.server, pytest.mark.model]

JSON = {"Content-Type": "application/json"}
MIB = 1024 * 1024


@dataclass(frozen=True)
class Http:
    """A request (built lazily: some bodies are large) and the status and error code it must get."""

    method: str
    path: str
    request: Callable[[], dict[str, Any]]
    status: int
    code: str


@dataclass(frozen=True)
class BatchTranscript:
    """A transcript for `evaluator batch`; the row at `bad_line` must be rejected, the others scored."""

    content: Callable[[], bytes]
    bad_line: int
    kind: str


def body(**fields: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"json": fields}


def raw(data: bytes | Callable[[], bytes], headers: dict[str, str] = JSON) -> Callable[[], dict[str, Any]]:
    return lambda: {"content": data() if callable(data) else data, "headers": headers}


def rubric(key_points: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": "my-rubric", "text": "What does dropout do?", "key_points": key_points}


def evaluate(request: Callable[[], dict[str, Any]], status: int, code: str) -> Http:
    return Http("POST", "/v1/evaluations", request, status, code)


def garbage_transcript() -> bytes:
    noise = bytearray(range(256)) * 2  # every byte value: NUL, CR, LF, invalid UTF-8 lead bytes...
    random.Random(8).shuffle(noise)
    return (
        b"Interviewer: What is dropout, and why does it help?\n"
        b"Candidate: Dropout switches off random neurons during training, which reduces overfitting.\n\n"
        b"Interviewer: What is an epoch in training?\n"
        b"Candidate: An epoch is one full pass over the training data. " + bytes(noise) + b"\n\n"
        b"Interviewer: What is transfer learning?\n"
        b"Candidate: Transfer learning reuses a model pre-trained on a large dataset for a new task.\n"
    )


FRESHER = "fresher-01"
CASES: dict[str, Http | BatchTranscript] = {
    "empty answer": evaluate(body(question_id=FRESHER, answer=""), 422, "empty_answer"),
    "whitespace-only answer": evaluate(body(question_id=FRESHER, answer=" \n\t\u3000 "), 422, "empty_answer"),
    "over-limit answer": evaluate(body(question_id=FRESHER, answer="word " * 2001), 422, "answer_too_long"),
    "invalid UTF-8": evaluate(raw(b'{"question_id": "fresher-01", "answer": "caf\xe9 \xff"}'), 422, "invalid_json"),
    "raw NUL byte": evaluate(raw(b'{"question_id": "fresher-01", "answer": "deep\x00nets"}'), 422, "invalid_json"),
    "escaped NUL": evaluate(body(question_id=FRESHER, answer="deep\x00nets learn"), 422, "answer_not_text"),
    "50 MB body": evaluate(raw(lambda: b" " * (50 * MIB)), 413, "body_too_large"),
    "50 MB chunked body": evaluate(raw(lambda: iter([b" " * MIB] * 50)), 413, "body_too_large"),
    "deeply nested JSON": evaluate(raw(b'{"answer": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), 422, "invalid_json"),
    "nested JSON for a string": evaluate(
        raw(b'{"question_id": "fresher-01", "answer": ' + b"[" * 500 + b"]" * 500 + b"}"), 422, "invalid_request"
    ),
    "answer is a number": evaluate(body(question_id=FRESHER, answer=42), 422, "invalid_request"),
    "question_id is an object": evaluate(body(question_id={"a": 1}, answer=GOOD_ANSWER), 422, "invalid_request"),
    "body is an array": evaluate(raw(b'[{"question_id": "fresher-01"}]'), 422, "invalid_request"),
    "body is null": evaluate(raw(b"null"), 422, "invalid_request"),
    "empty body": evaluate(raw(b""), 422, "invalid_request"),
    "both question_id and rubric": evaluate(
        body(question_id=FRESHER, rubric=rubric([{"id": "p", "text": "Dropout zeroes units."}]), answer="x y"),
        422,
        "invalid_request",
    ),
    "unknown question id": evaluate(body(question_id="no-such-question", answer=GOOD_ANSWER), 404, "unknown_question"),
    "path-like question id": evaluate(body(question_id="../../etc/passwd", answer=GOOD_ANSWER), 404, "unknown_question"),
    "absolute-path question id": evaluate(body(question_id="/etc/passwd", answer=GOOD_ANSWER), 404, "unknown_question"),
    "path-like id in the URL": Http("GET", "/v1/questions/..%2F..%2Fetc%2Fpasswd", dict, 404, "not_found"),
    "double-encoded path-like id": Http("GET", "/v1/questions/..%252F..%252Fetc%252Fpasswd", dict, 404, "unknown_question"),
    "rubric without key points": evaluate(body(rubric=rubric([]), answer=GOOD_ANSWER), 422, "invalid_request"),
    "rubric with 10,000 key points": evaluate(
        body(rubric=rubric([{"id": f"p{i}", "text": f"Point number {i}."} for i in range(10_000)]), answer=GOOD_ANSWER),
        422,
        "invalid_request",
    ),
    "rubric with a negative weight": evaluate(
        body(rubric=rubric([{"id": "p", "text": "Dropout zeroes units.", "weight": -1}]), answer=GOOD_ANSWER),
        422,
        "invalid_request",
    ),
    "batch over its size limit": Http(
        "POST", "/v1/evaluations/batch", body(items=[{"question_id": FRESHER, "answer": GOOD_ANSWER}] * 65), 413,
        "too_many_items",
    ),
    "transcript with binary garbage (batch CLI)": BatchTranscript(garbage_transcript, bad_line=5, kind="invalid-answer"),
}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-input")
    env = clean_env(EVALUATOR_BANK_DIR=str(small_bank(folder / "bank")))
    with running_server(folder / "server.log", env) as server:
        yield server


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_its_documented_error_and_the_server_keeps_serving(server, case, tmp_path):
    if isinstance(case, Http):
        with server.client() as client:
            response = client.request(case.method, case.path, **case.request())
        error = assert_error(response, case.status, case.code)
        assert len(response.content) < 4096, "an error body never echoes a large input"
        assert "Traceback" not in error["message"]
    else:
        check_batch_transcript(case, tmp_path)
    with server.client() as client:
        good = client.post("/v1/evaluations", json={"question_id": FRESHER, "answer": GOOD_ANSWER})
    assert good.status_code == 200, good.text
    assert good.json()["score"] > 0.5
    assert server.process.poll() is None


def check_batch_transcript(case: BatchTranscript, folder: Path) -> None:
    source = folder / "interview.txt"
    source.write_bytes(case.content())
    out = folder / "out.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "cli", "batch", str(source), "-o", str(out), "--quiet"],
        env=clean_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # 1: some rows rejected (see the errors file)
    (rejected,) = read_records(folder / "out.errors.jsonl", ERROR_FIELDS)
    assert (rejected["line"], rejected["kind"]) == (case.bad_line, case.kind), rejected
    assert "control character" in rejected["reason"] or "UTF-8" in rejected["reason"]
    scored = list(read_records(out))
    text = io.StringIO(source.read_bytes().decode("utf-8", "surrogateescape"), newline=None)
    last = next(n for n, line in enumerate(text, start=1) if line.startswith("Candidate: Transfer"))
    assert [r["line"] for r in scored] == [2, last]  # the rows around it are scored, in order
    assert all(r["score"] > 0 for r in scored)
    for line in out.read_text(encoding="utf-8").splitlines():
        json.loads(line)  # whole, valid lines only


def test_no_cors_headers_unless_origins_are_configured(server):
    origin = {"Origin": "http://localhost:5173"}
    preflight = {**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}
    with server.client() as client:
        answered = [
            client.options("/v1/evaluations", headers=preflight),
            client.get("/healthz", headers=origin),
            client.post("/v1/evaluations", json={"question_id": FRESHER, "answer": GOOD_ANSWER}, headers=origin),
        ]
    for response in answered:
        assert not [h for h in response.headers if h.lower().startswith("access-control-")], response.headers
    assert answered[0].status_code == 405  # no CORS middleware: a preflight is just an unknown method


def test_the_load_script_runs_clean_against_a_running_server(server):
    """A short run of scripts/load.py (its 2-minute figures are in the README), so it keeps working."""
    run = subprocess.run(
        [sys.executable, "scripts/load.py", "--url", server.base, "--pid", str(server.process.pid),
         "--seconds", "3", "--clients", "4"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = run.stdout.splitlines()
    assert any(line.startswith("load, 4 clients: ") and line.endswith(", errors 0") for line in lines), run.stdout
    assert any(line.startswith("baseline, 1 client: ") and line.endswith(", errors 0") for line in lines)
    assert any(line.startswith("server RSS: ") for line in lines), run.stdout + run.stderr
    # Only the RSS verdict may fail a 3-second run (allocations still settling): never a request.
    assert run.returncode == 0 or "FAILED" in lines and "error: " not in run.stdout, run.stdout
