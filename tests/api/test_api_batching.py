"""Micro-batching of POST /v1/evaluations: shared forward passes, same results, errors kept apart."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fakes import HashingEmbedder

from api import Settings, create_app
from api.batching import MicroBatcher, score_together
from api.errors import NotReadyError, describe
from evaluator import EmptyAnswerError, EvaluationRequest, Evaluator
from rubric import QuestionBank, UnknownQuestionError, load_bank

ANSWERS = [
    ("fresher-01", "Deep learning stacks many layers of neurons that learn features from raw data."),
    ("fresher-01", "Classical machine learning needs features designed by hand; deep nets learn their own."),
    ("fresher-03", "Backpropagation applies the chain rule to get the loss gradient for every weight."),
    ("fresher-03", "Gradients flow backwards layer by layer, and gradient descent then updates the weights."),
    ("fresher-01", "My favourite pasta is carbonara with plenty of pecorino and black pepper."),
    ("fresher-03", "It is not about the chain rule at all; the weights are random and never change."),
]


@pytest.fixture
def fake_evaluator() -> Evaluator:
    evaluator = Evaluator(embedder=HashingEmbedder(), bank=load_bank(), cache_size=0)
    for question_id in ("fresher-01", "fresher-03"):
        evaluator.resolve(question_id)
        evaluator.evaluate("warm the rubric vectors", question_id=question_id)
    evaluator.embedder.calls.clear()
    return evaluator


def _run(batcher: MicroBatcher, evaluator: Evaluator, requests: list[EvaluationRequest]) -> list[object]:
    """Submit all requests at once; each outcome is a result or the exception it raised."""

    async def main() -> list[object]:
        await batcher.start()
        try:
            return await asyncio.wait_for(
                asyncio.gather(*(batcher.evaluate(evaluator, r) for r in requests), return_exceptions=True),
                timeout=60,
            )
        finally:
            await batcher.stop()

    return asyncio.run(main())


def test_requests_arriving_together_share_one_encode(fake_evaluator):
    requests = [EvaluationRequest(answer, question_id) for question_id, answer in ANSWERS]
    batcher = MicroBatcher(window_ms=200, max_items=64)
    outcomes = _run(batcher, fake_evaluator, requests)
    assert len(fake_evaluator.embedder.calls) == 1  # one forward pass for all six
    assert (batcher.stats.batches, batcher.stats.largest) == (1, len(requests))
    alone = [fake_evaluator.evaluate(r.answer, question_id=r.question_id) for r in requests]
    assert [o.model_dump_json() for o in outcomes] == [a.model_dump_json() for a in alone]


def test_window_zero_scores_each_request_alone(fake_evaluator):
    requests = [EvaluationRequest(answer, question_id) for question_id, answer in ANSWERS[:3]]
    batcher = MicroBatcher(window_ms=0)
    outcomes = _run(batcher, fake_evaluator, requests)
    assert len(fake_evaluator.embedder.calls) == 3 and batcher.stats.batches == 0
    assert [o.question_id for o in outcomes] == ["fresher-01", "fresher-01", "fresher-03"]


def test_each_error_goes_to_its_own_request(fake_evaluator):
    requests = [
        EvaluationRequest(ANSWERS[0][1], "fresher-01"),
        EvaluationRequest(ANSWERS[0][1], "no-such-question"),
        EvaluationRequest("   ", "fresher-03"),
        EvaluationRequest(ANSWERS[2][1], "fresher-03"),
    ]
    outcomes = _run(MicroBatcher(window_ms=200), fake_evaluator, requests)
    assert isinstance(outcomes[1], UnknownQuestionError) and isinstance(outcomes[2], EmptyAnswerError)
    assert outcomes[0] == fake_evaluator.evaluate(ANSWERS[0][1], question_id="fresher-01")
    assert outcomes[3] == fake_evaluator.evaluate(ANSWERS[2][1], question_id="fresher-03")


class _FailsOn(HashingEmbedder):
    """Raises for any call that includes the poisoned text, as a broken model would."""

    def encode(self, texts):  # type: ignore[no-untyped-def]
        if any("POISON" in t for t in texts):
            raise RuntimeError("the model broke on this text")
        return super().encode(texts)


def test_an_unexpected_failure_fails_only_its_own_request():
    evaluator = Evaluator(embedder=_FailsOn(), bank=load_bank(), cache_size=0)
    requests = [
        EvaluationRequest(ANSWERS[0][1], "fresher-01"),
        EvaluationRequest("POISON in this answer.", "fresher-01"),
        EvaluationRequest(ANSWERS[1][1], "fresher-01"),
    ]
    outcomes = score_together(evaluator, requests)
    assert isinstance(outcomes[1], RuntimeError)
    assert outcomes[0] == evaluator.evaluate(ANSWERS[0][1], question_id="fresher-01")
    assert outcomes[2] == evaluator.evaluate(ANSWERS[1][1], question_id="fresher-01")


def test_a_full_batch_leaves_without_waiting_for_the_window(fake_evaluator):
    requests = [EvaluationRequest(answer, question_id) for question_id, answer in ANSWERS]
    batcher = MicroBatcher(window_ms=600_000, max_items=3)  # 6 requests: two full batches
    outcomes = _run(batcher, fake_evaluator, requests)  # (which gives up after 60 s of waiting)
    assert all(o.question_id == q for o, (q, _) in zip(outcomes, ANSWERS, strict=True))
    assert batcher.stats.sizes == [3, 3]


def test_a_lone_request_waits_only_for_the_window(fake_evaluator):
    batcher = MicroBatcher(window_ms=50, max_items=64)
    [outcome] = _run(batcher, fake_evaluator, [EvaluationRequest(ANSWERS[0][1], "fresher-01")])
    assert outcome.question_id == "fresher-01" and batcher.stats.sizes == [1]


def test_a_cancelled_request_does_not_disturb_the_others(fake_evaluator):
    batcher = MicroBatcher(window_ms=300)

    async def main() -> list[object]:
        await batcher.start()
        try:
            requests = [EvaluationRequest(a, q) for q, a in ANSWERS[:3]]
            tasks = [asyncio.create_task(batcher.evaluate(fake_evaluator, r)) for r in requests]
            await asyncio.sleep(0.01)
            tasks[1].cancel()
            return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=60)
        finally:
            await batcher.stop()

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert [outcomes[0].question_id, outcomes[2].question_id] == ["fresher-01", "fresher-03"]
    assert batcher.stats.sizes == [2]


class _SlowModel(HashingEmbedder):
    """A forward pass that takes a while, like the real model's for a batch of answers."""

    def encode(self, texts):  # type: ignore[no-untyped-def]
        time.sleep(0.4)
        return super().encode(texts)


def _closed_loop(clients: list[int], stagger_s: float = 0.004, window_ms: float = 1) -> list[int]:
    """Client i sends its next request `stagger_s * i` after its answer arrives, `clients[i]` times
    in all (answers of one batch reach clients one after another, as over HTTP); the batch sizes."""
    evaluator = Evaluator(embedder=_SlowModel(), bank=load_bank(), cache_size=0)
    batcher = MicroBatcher(window_ms=window_ms)

    async def client(index: int, rounds: int) -> None:
        question_id, answer = ANSWERS[index % len(ANSWERS)]
        for _ in range(rounds):
            await batcher.evaluate(evaluator, EvaluationRequest(answer, question_id))
            await asyncio.sleep(stagger_s * index)

    async def main() -> None:
        await batcher.start()
        try:
            await asyncio.wait_for(asyncio.gather(*(client(i, n) for i, n in enumerate(clients))), 60)
        finally:
            await batcher.stop()

    asyncio.run(main())
    return batcher.stats.sizes


def test_clients_coming_back_one_after_another_still_share_a_batch():
    # They return 4, 8 and 12 ms after the first, past the 1 ms window, but well within the
    # patience after a 0.4 s batch: each round stays one batch of four.
    assert _closed_loop([4, 4, 4, 4]) == [4, 4, 4, 4]


def test_a_client_that_does_not_come_back_costs_one_short_wait():
    assert _closed_loop([3, 3, 1]) == [3, 2, 2]


def test_the_window_is_a_documented_setting(monkeypatch):
    assert Settings().batch_window_ms == 5
    monkeypatch.setenv("EVALUATOR_BATCH_WINDOW_MS", "0")
    assert Settings().batch_window_ms == 0
    monkeypatch.setenv("EVALUATOR_BATCH_WINDOW_MS", "-1")
    with pytest.raises(ValueError):
        Settings()


# --- the real model behind a real HTTP server -------------------------------------------------


@contextmanager
def _serving(settings: Settings, evaluator: Evaluator) -> Iterator[tuple[str, object]]:
    """The app on a free loopback port, served by uvicorn in a thread; (base URL, app)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(settings, evaluator=evaluator)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        assert thread.is_alive(), "the server stopped"
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server never became ready"
        time.sleep(0.05)
    try:
        yield base, app
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _post_together(base: str, bodies: list[dict[str, str]]) -> list[tuple[int, dict]]:
    with httpx.Client(base_url=base, timeout=300) as client, ThreadPoolExecutor(len(bodies)) as pool:
        responses = list(pool.map(lambda body: client.post("/v1/evaluations", json=body), bodies))
    return [(r.status_code, r.json()) for r in responses]


@pytest.mark.server
def test_batched_responses_are_the_unbatched_ones(real_evaluator):
    # Same model, no answer cache, so both runs really encode every answer.
    bank = QuestionBank([real_evaluator.bank.get(q) for q in ("fresher-01", "fresher-03")])  # a quick warm-up
    model = getattr(real_evaluator.embedder, "inner", real_evaluator.embedder)
    evaluator = Evaluator(embedder=model, bank=bank, cache_size=0)
    bodies = [{"question_id": q, "answer": a} for q, a in ANSWERS]
    bodies.append({"question_id": "no-such-question", "answer": ANSWERS[0][1]})
    bodies.append({"question_id": "fresher-01", "answer": " "})
    with _serving(Settings(batch_window_ms=300), evaluator) as (base, app):
        batched = _post_together(base, bodies)
        stats = app.state.batcher.stats
    assert stats.largest > 1, stats  # some requests did share a forward pass
    with _serving(Settings(batch_window_ms=0), evaluator) as (base, app):
        alone = _post_together(base, bodies)
        assert app.state.batcher.stats.batches == 0
    assert batched == alone
    assert [status for status, _ in alone] == [200] * len(ANSWERS) + [404, 422]
    status, body = describe(UnknownQuestionError("no-such-question", known=len(evaluator.bank)))
    assert alone[-2] == (status, body)


class _Slow(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.entered.set()
        time.sleep(0.5)
        return super().encode(texts)


def test_stopping_answers_every_request_still_waiting():
    evaluator = Evaluator(embedder=_Slow(), bank=load_bank(), cache_size=0)
    evaluator.evaluate("warm the rubric vectors", question_id="fresher-01")
    batcher = MicroBatcher(window_ms=1)

    async def main() -> list[object]:
        await batcher.start()
        requests = [EvaluationRequest(a, q) for q, a in ANSWERS[:2]]
        tasks = [asyncio.create_task(batcher.evaluate(evaluator, r)) for r in requests]
        while not evaluator.embedder.entered.is_set():
            await asyncio.sleep(0.005)
        await batcher.stop()  # mid-batch: nobody may be left hanging
        return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)

    outcomes = asyncio.run(main())
    assert all(isinstance(o, NotReadyError) for o in outcomes), outcomes
