"""Determinism: the same request gives byte-identical JSON across server restarts, worker-thread counts and
concurrent load. (`evaluator serve` runs one process; it has no uvicorn worker-process option.)"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from reliability_helpers import GOOD_ANSWER, clean_env, running_server, small_bank

pytestmark = [pytest.mark.server, pytest.mark.model]

RUBRIC = {
    "id": "my-dropout",
    "text": "What does dropout do?",
    "key_points": [
        {"id": "zeroes-units", "text": "Dropout randomly sets a fraction of activations to zero in training."},
        {"id": "regularizes", "text": "Dropout reduces overfitting by acting as a regularizer.", "weight": 2},
    ],
}
REQUESTS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/evaluations", {"question_id": "fresher-01", "answer": GOOD_ANSWER}),
    ("POST", "/v1/evaluations", {"question_id": "fresher-10", "answer": "Dropout turns off random neurons."}),
    ("POST", "/v1/evaluations", {"question_id": "fresher-03", "answer": "Backprop is not the chain rule at all."}),
    ("POST", "/v1/evaluations", {"rubric": RUBRIC, "answer": "Dropout zeroes random units, so it overfits less."}),
    (
        "POST",
        "/v1/evaluations/batch",
        {
            "items": [
                {"question_id": "fresher-01", "answer": GOOD_ANSWER},
                {"question_id": "intermediate-05", "answer": "Reuse a pretrained network and fine-tune it."},
                {"rubric": RUBRIC, "answer": "It drops units at random while training."},
                {"question_id": "no-such-question", "answer": "An item that fails alone."},
                {"question_id": "fresher-10", "answer": ""},
            ]
        },
    ),
    ("GET", "/v1/questions/fresher-01?include_reference=true", None),
    ("GET", "/v1/questions", None),
]


def responses(threads: int, folder, concurrent: bool) -> list[bytes]:
    """The raw bodies of REQUESTS from a fresh server with `threads` worker threads."""
    env = clean_env(EVALUATOR_WORKER_THREADS=str(threads), EVALUATOR_BANK_DIR=str(small_bank(folder / "bank")))
    with running_server(folder / "server.log", env) as server, server.client() as client:

        def send(index: int) -> tuple[int, bytes]:
            method, path, body = REQUESTS[index]
            response = client.request(method, path, json=body)
            assert response.status_code == 200, response.text
            return index, response.content

        if not concurrent:
            return [send(i)[1] for i in range(len(REQUESTS))]
        # Each request 6 times, shuffled, from 16 clients at once: they overlap in the server.
        order = [i for i in range(len(REQUESTS)) for _ in range(6)]
        random.Random(3).shuffle(order)
        with ThreadPoolExecutor(16) as pool:
            answered = list(pool.map(send, order))
        bodies: dict[int, set[bytes]] = {}
        for index, content in answered:
            bodies.setdefault(index, set()).add(content)
        assert all(len(variants) == 1 for variants in bodies.values()), "concurrent answers differ"
        return [bodies[i].pop() for i in range(len(REQUESTS))]


def test_same_request_same_bytes_across_restarts_thread_counts_and_concurrency(tmp_path):
    one_thread = responses(1, tmp_path / "one", concurrent=False)
    eight_threads = responses(8, tmp_path / "eight", concurrent=True)
    for (method, path, _), first, second in zip(REQUESTS, one_thread, eight_threads, strict=True):
        assert first == second, f"{method} {path}:\n{first[:400]!r}\n{second[:400]!r}"
    assert b'"score"' in one_thread[0] and b'"unknown_question"' in one_thread[4]
