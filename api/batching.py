"""Micro-batching: single-answer requests that arrive together share one evaluate_many, one encode().

The first request of a batch waits at most the window (EVALUATOR_BATCH_WINDOW_MS, counted from its
own arrival) for others; a batch leaves as soon as it is full (EVALUATOR_MAX_BATCH_ITEMS). Requests
that arrive while a batch is being scored join the next one. One batch is scored at a time: the
model's forward passes are serial anyway.

Clients under steady load send their next request as soon as their answer comes back, but the
answers of one batch go out one after another, so the clients come back spread over a few
milliseconds. The batcher therefore expects as many requests as the last batch served (plus those
that arrived meanwhile) and, right after a batch, waits for them a little longer than the window:
at most PATIENCE of that batch's scoring time, capped at MAX_PATIENCE_S. A lone request after a
quiet spell waits only the window; if fewer clients come back, one batch pays the wait and the
expectation drops. Each request gets its own result or error, exactly as the unbatched path would
give it; a window of 0 turns batching off (each request calls Evaluator.evaluate in the threadpool).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass, field
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request

from api.errors import NotReadyError
from evaluator.results import EvaluationResult
from evaluator.scoring import EvaluationRequest, Evaluator

log = logging.getLogger("api.batching")

Outcome = EvaluationResult | Exception
PATIENCE = 0.1  # share of the last batch's scoring time a batch may wait for the clients it served
MAX_PATIENCE_S = 0.25


@dataclass(slots=True)
class _Waiting:
    evaluator: Evaluator
    request: EvaluationRequest
    future: asyncio.Future[Outcome]
    arrived: float


@dataclass(slots=True)
class BatchStats:
    """What the batcher has done so far (for tests and diagnostics)."""

    batches: int = 0
    requests: int = 0
    largest: int = 0
    sizes: list[int] = field(default_factory=list)  # the last few batch sizes

    def record(self, size: int) -> None:
        self.batches += 1
        self.requests += size
        self.largest = max(self.largest, size)
        self.sizes = [*self.sizes[-99:], size]


class MicroBatcher:
    """Gathers concurrent evaluate requests into evaluate_many calls; start() and stop() in the lifespan."""

    def __init__(self, window_ms: float, max_items: int = 64) -> None:
        if window_ms < 0 or max_items < 1:
            raise ValueError("the window must be >= 0 ms and max_items >= 1")
        self.window = window_ms / 1000
        self.max_items = max_items
        self.stats = BatchStats()
        self._waiting: list[_Waiting] = []
        self._scoring: list[_Waiting] = []  # the batch in the threadpool now
        self._expected = 1  # requests the next batch is likely to get: the clients the last one served
        self._patient_until = 0.0  # loop time until which a batch may wait for all of them
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self.window > 0

    async def start(self) -> None:
        if self.enabled and self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="micro-batcher")

    async def stop(self) -> None:
        """Stop the worker; requests still waiting get a 503."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for waiting in (*self._scoring, *self._waiting):
            if not waiting.future.done():
                waiting.future.set_exception(NotReadyError("the server is shutting down: retry"))
        self._waiting.clear()
        self._scoring = []

    async def evaluate(self, evaluator: Evaluator, request: EvaluationRequest) -> EvaluationResult:
        """The result for one request (batched with others if the window is on), or its error raised."""
        if not self.enabled:
            return await anyio.to_thread.run_sync(
                functools.partial(
                    evaluator.evaluate, request.answer, question_id=request.question_id, rubric=request.rubric
                )
            )
        if self._worker is None:
            raise NotReadyError("the request batcher is not running: retry in a few seconds")
        loop = asyncio.get_running_loop()
        waiting = _Waiting(evaluator, request, loop.create_future(), loop.time())
        self._waiting.append(waiting)
        self._arrived.set()
        outcome = await waiting.future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            while self._waiting:
                await self._gather(loop)
                batch = self._take()
                if batch:
                    started = loop.time()
                    await self._score(batch)
                    finished = loop.time()
                    self._expected = min(self.max_items, len(batch) + len(self._waiting))
                    self._patient_until = finished + min(PATIENCE * (finished - started), MAX_PATIENCE_S)

    async def _gather(self, loop: asyncio.AbstractEventLoop) -> None:
        """Return when the waiting requests should leave as a batch: full, or the window (or, while
        fewer than expected are here, the patience after the last batch) has run out."""
        while len(self._waiting) < self.max_items:
            self._arrived.clear()
            deadline = self._waiting[0].arrived + self.window
            if len(self._waiting) < self._expected:
                deadline = max(deadline, self._patient_until)
            delay = deadline - loop.time()
            if delay <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), delay)

    def _take(self) -> list[_Waiting]:
        """Up to max_items waiting requests for the same evaluator, oldest first; drops cancelled ones."""
        self._waiting = [w for w in self._waiting if not w.future.done()]
        if not self._waiting:
            return []
        evaluator = self._waiting[0].evaluator
        batch, rest = [], []
        for waiting in self._waiting:
            fits = waiting.evaluator is evaluator and len(batch) < self.max_items
            (batch if fits else rest).append(waiting)
        self._waiting = rest
        return batch

    async def _score(self, batch: list[_Waiting]) -> None:
        self.stats.record(len(batch))
        log.debug("scoring a batch of %d requests (%d waiting)", len(batch), len(self._waiting))
        self._scoring = batch
        try:
            outcomes = await anyio.to_thread.run_sync(
                score_together, batch[0].evaluator, [w.request for w in batch]
            )
        except Exception as exc:  # noqa: BLE001 - never let the worker die: fail this batch alone
            log.exception("a batch failed")
            outcomes = [exc] * len(batch)
        self._scoring = []  # (left set on cancellation, for stop() to answer them)
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(outcome)


def score_together(evaluator: Evaluator, requests: list[EvaluationRequest]) -> list[Outcome]:
    """evaluate_many with each request's error in its place; if the whole call fails unexpectedly,
    each request is scored alone, so that one bad request fails only itself."""
    try:
        return list(evaluator.evaluate_many(requests, return_errors=True))
    except Exception:
        if len(requests) == 1:
            raise
    outcomes: list[Outcome] = []
    for request in requests:
        try:
            outcomes.append(evaluator.evaluate_many([request], return_errors=True)[0])
        except Exception as exc:  # noqa: BLE001 - this request's own failure, reported to it alone
            outcomes.append(exc)
    return outcomes


async def get_batcher(request: Request) -> MicroBatcher:
    return request.app.state.batcher


BatcherDep = Annotated[MicroBatcher, Depends(get_batcher)]
