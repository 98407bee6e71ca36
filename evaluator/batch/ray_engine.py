"""The Ray engine of `evaluator batch`: the local run, with the scoring spread over a Ray cluster.

The driver reads the inputs and commits the chunks through the same `run_chunks` as the local
engine (same records, same files, same resume state, same progress), so the output is the local
engine's byte for byte and a killed driver resumes with nothing lost or repeated. Each chunk is
scored by `score_chunk` in one of N actors, each holding one Evaluator loaded once from the model
package installed on its node. Chunks go round-robin, IN_FLIGHT_PER_WORKER queued on each actor so
none waits for the driver; they come back in input order, and the driver holds at most
N x IN_FLIGHT_PER_WORKER chunks, whatever the size of the input. Ray is imported here only.
"""

from __future__ import annotations

import collections
import logging
import os
import pickle
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from evaluator.batch.errors import BatchError
from evaluator.batch.question_match import MATCH_THRESHOLD, QuestionMatcher
from evaluator.batch.readers import Format, Item
from evaluator.batch.runner import DEFAULT_BATCH_SIZE, BatchStats, ScoredChunk, run_chunks, score_chunk
from evaluator.embedding import make_embedder, resolve_backend
from evaluator.errors import EvaluatorError
from evaluator.scoring import Evaluator
from rubric import QuestionBank

IN_FLIGHT_PER_WORKER = 3
READY_TIMEOUT_SECONDS = 600  # every worker loads the model once
RETRIES = 2  # a lost worker is restarted and its chunks scored again (scoring has no side effects)
LOCAL_OBJECT_STORE_BYTES = 256 * 2**20  # chunks of rows and their records are small
INSTALL_HINT = "pip install 'interview-evaluator[ray]'"


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Where and how wide to run. No address (and no RAY_ADDRESS): a Ray started on this machine,
    on loopback only. No workers: one per CPU of the cluster. Each worker reserves the cluster's CPUs
    divided by the workers (at least 1) and runs the model with that many threads."""

    address: str | None = None
    workers: int | None = None
    worker_cpus: int | None = None


def run_batch_ray(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    bank: QuestionBank,
    options: RayOptions = RayOptions(),
    errors: str | Path | None = None,
    resume: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    match_threshold: float = MATCH_THRESHOLD,
    on_progress: Callable[[int], object] | None = None,
    fmt: Format | None = None,
) -> BatchStats:
    """`run_batch`, scored by Ray actors; the same files as the local engine, row for row."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    ray, started_here = _connect(options.address)
    pool = None
    try:
        pool = ScorerPool.start(ray, bank, match_threshold, options)
        return run_chunks(
            inputs, output, pool.score_in_order, errors=errors, resume=resume, batch_size=batch_size,
            on_progress=on_progress, fmt=fmt,
        )  # fmt: skip
    finally:
        if pool is not None:
            pool.stop()
        if started_here:
            ray.shutdown()


class Scorer:
    """A Ray actor's state: one Evaluator and question matcher, loaded once, scoring chunk after chunk."""

    def __init__(self, packed_bank: bytes, threshold: float, backend: str, threads: int) -> None:
        self.failure: str | None = None
        bank: QuestionBank = pickle.loads(zlib.decompress(packed_bank))
        try:
            self.evaluator = Evaluator(embedder=make_embedder(backend, threads), bank=bank)
            self.matcher = QuestionMatcher(bank, self.evaluator.embedder, threshold=threshold)
        except EvaluatorError as exc:  # reported by ready(), in the driver's words
            self.failure = str(exc)

    def ready(self) -> str | None:
        """None once the model is loaded, else why it could not be."""
        return self.failure

    def score(self, chunk: list[Item]) -> ScoredChunk:
        return score_chunk(chunk, self.evaluator, self.matcher)


class ScorerPool:
    """N Scorer actors; chunks in, (chunk, records) out in input order."""

    def __init__(self, ray: ModuleType, actors: list[Any]) -> None:
        self.ray = ray
        self.actors = actors

    @classmethod
    def start(cls, ray: ModuleType, bank: QuestionBank, threshold: float, options: RayOptions) -> ScorerPool:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        workers = options.workers if options.workers is not None else max(1, cpus)
        worker_cpus = (
            options.worker_cpus if options.worker_cpus is not None else max(1, cpus // max(1, workers))
        )
        if workers < 1 or worker_cpus < 1:
            raise BatchError(
                f"workers and CPUs per worker must be at least 1, not {workers} and {worker_cpus}"
            )
        if workers * worker_cpus > cpus:
            raise BatchError(
                f"{workers} Ray workers of {worker_cpus} CPU(s) each need {workers * worker_cpus} CPUs; "
                f"the cluster has {cpus}: add nodes or ask for fewer workers"
            )
        settings = {k: v for k, v in os.environ.items() if k.startswith("EVALUATOR_")}
        remote = ray.remote(
            num_cpus=worker_cpus,
            max_restarts=RETRIES,
            max_task_retries=RETRIES,
            runtime_env={"env_vars": settings} if settings else None,
        )(Scorer)
        backend = resolve_backend()
        # Compressed, the bundled bank fits in the actor's creation call, so Ray can restart a lost actor
        # without the object store (it warns about stored constructor arguments otherwise).
        packed_bank = zlib.compress(pickle.dumps(bank), 9)
        actors = [remote.remote(packed_bank, threshold, backend, worker_cpus) for _ in range(workers)]
        pool = cls(ray, actors)
        try:
            failures = ray.get([a.ready.remote() for a in actors], timeout=READY_TIMEOUT_SECONDS)
        except ray.exceptions.GetTimeoutError:
            pool.stop()
            raise BatchError(
                f"the {workers} Ray workers did not load the model within {READY_TIMEOUT_SECONDS} s"
            ) from None
        except ray.exceptions.RayError as exc:
            pool.stop()
            raise BatchError(f"a Ray worker failed to start: {_first_line(exc)}") from None
        failure = next((f for f in failures if f), None)
        if failure:
            pool.stop()
            raise BatchError(f"a Ray worker could not load the model: {failure}")
        return pool

    def score_in_order(self, chunks: Iterator[list[Item]]) -> Iterator[tuple[list[Item], ScoredChunk]]:
        """Chunk i goes to actor i mod N; results are taken back oldest first."""
        window: collections.deque[tuple[list[Item], Any]] = collections.deque()
        limit = len(self.actors) * IN_FLIGHT_PER_WORKER
        for index, chunk in enumerate(chunks):
            window.append((chunk, self.actors[index % len(self.actors)].score.remote(chunk)))
            if len(window) >= limit:
                yield self._take(window)
        while window:
            yield self._take(window)

    def _take(self, window: collections.deque[tuple[list[Item], Any]]) -> tuple[list[Item], ScoredChunk]:
        chunk, ref = window.popleft()
        try:
            return chunk, self.ray.get(ref)
        except self.ray.exceptions.RayActorError as exc:
            raise BatchError(
                f"a Ray worker was lost ({_first_line(exc)}); the rows committed so far are kept: "
                "run again with --resume"
            ) from None

    def stop(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)


def _connect(address: str | None) -> tuple[ModuleType, bool]:
    """Ray, connected: to `address` (or RAY_ADDRESS), to the cluster this process already joined, or to a
    new one on this machine; and whether it was started here (then it is shut down after the run)."""
    local = address is None and not os.environ.get("RAY_ADDRESS") and "ray" not in sys.modules
    if local:
        # Ray binds its local cluster to the machine's network address unless told it is single-machine.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError:
        raise BatchError(f"the ray engine needs Ray: {INSTALL_HINT}") from None
    if ray.is_initialized():
        return ray, False
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if address is None and not os.environ.get("RAY_ADDRESS"):
            ray.init(include_dashboard=False, object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet)
        else:
            ray.init(address=address, **quiet)
    except ConnectionError as exc:
        raise BatchError(
            f"cannot reach the Ray cluster at {address or os.environ['RAY_ADDRESS']}: {exc}"
        ) from None
    return ray, True


def _first_line(exc: BaseException) -> str:
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
