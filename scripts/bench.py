"""One benchmark of the whole path, on the same answers: raw model, library, API, cold start, batch.

Answers: a fixed, generated set (seeded) of 20-150-word answers made from the bank's own sentences
and vocabulary (reference answers and key points, lightly reworded so that no two are the same;
not the graded test set). Every figure is shown beside a baseline measured in the same run:

- raw: the bare embedder's encode() of exactly the texts the evaluator sends to the model, in the
  same calls (so at the evaluator's batch sizes): the limit. Timed interleaved with the library,
  call by call, so both see the same machine load.
- library: Evaluator.evaluate latency p50/p95 (ratio to one raw encode of that answer's texts) and
  Evaluator.evaluate_many answers/s (ratio to raw on the same texts, and to one raw encode of each
  whole answer as a single text: the least any embedding of the answer could cost).
- api: a real `evaluator serve` on 127.0.0.1, one answer per request, concurrency 1, 8, 32:
  answers/s and p50/p95/p99, ratio to the library (evaluate_many answers/s, evaluate p50); and
  POST /v1/evaluations/batch with 32 answers per request. --compare-window runs it all again on a
  second server with another EVALUATOR_BATCH_WINDOW_MS (e.g. 0: micro-batching off).
- cold start: server process start to GET /readyz == 200; the server's peak RSS, and its RSS
  sampled through a sustained load (--soak seconds at concurrency 8).
- batch: `evaluator batch` on --batch-answers generated answers: rows/s and the process's peak RSS.
- ray: the batch engines in this process on --ray-answers answers, as `evaluator batch` runs them
  (answer cache on): local, then Ray (a local cluster on loopback) at --ray-workers workers;
  throughput against local, per worker, start-up overhead, whether the output is local's byte for
  byte, the driver's own ceiling (committing replayed records, no scoring), and the projected wall
  time for 1,000,000 answers on 8, 32 and 128 one-CPU workers.

The answer-vector cache is off everywhere (EVALUATOR_CACHE_SIZE=0), so every answer is really
encoded; --backend is passed on as EVALUATOR_BACKEND to the library and the subprocesses.

    .venv/bin/python scripts/bench.py                       # everything (long: a 20,000-answer batch)
    .venv/bin/python scripts/bench.py --quick               # every section, small figures
    .venv/bin/python scripts/bench.py --only library --answers 100 --json /tmp/bench.json
    .venv/bin/python scripts/bench.py --backend onnx --window-ms 5
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluator.lexical import STOPWORDS, words  # noqa: E402
from evaluator.segment import split_sentences  # noqa: E402
from rubric import load_bank  # noqa: E402

SECTIONS = ("library", "api", "batch", "ray")
PROJECTED_ANSWERS = 1_000_000
PROJECTED_WORKERS = (8, 32, 128)
READY_TIMEOUT = 600
BATCH_ENDPOINT_ITEMS = 32
MIN_WORDS, MAX_WORDS = 20, 150
FILLERS = ("I think", "Basically,", "In short,", "As far as I know,", "In practice,", "To be precise,")


# ---------------------------------------------------------------------------------------------
# answers


def generate_answers(n: int, seed: int) -> list[tuple[str, str]]:
    """`n` (question_id, answer) pairs of 20-150 words, the same for the same seed.

    Each answer takes sentences of its question (reference answer, key points), sometimes one of
    another question, swaps a few content words for other words of that question's vocabulary,
    and sometimes starts with a filler or is written as a list.
    """
    bank = load_bank()
    rng = random.Random(seed)
    ids = sorted(bank)
    sentences: dict[str, list[str]] = {}
    vocabulary: dict[str, list[str]] = {}
    for qid in ids:
        q = bank[qid]
        own = [s.text for s in split_sentences(q.reference_answer or "")]
        own += [t for p in q.key_points for t in p.phrasings]
        sentences[qid] = own
        text = " ".join((q.text, q.reference_answer or "", *own))
        content = {w for w in words(text) if w not in STOPWORDS and len(w) > 3 and w.isalpha()}
        vocabulary[qid] = sorted(content)
    pairs = []
    for i in range(n):
        qid = ids[i % len(ids)]
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        chosen: list[str] = []
        pool = list(sentences[qid])
        rng.shuffle(pool)
        while sum(len(s.split()) for s in chosen) < target:
            if rng.random() < 0.1:
                chosen.append(rng.choice(sentences[rng.choice(ids)]))
            elif pool:
                chosen.append(pool.pop())
            else:
                pool = list(sentences[qid])
                rng.shuffle(pool)
        chosen = [_reword(s, vocabulary[qid], rng) for s in chosen]
        pairs.append((qid, _join(chosen, rng)))
    return pairs


def _reword(sentence: str, vocabulary: list[str], rng: random.Random) -> str:
    tokens = sentence.split()
    for j, token in enumerate(tokens):
        if token.isalpha() and token.lower() not in STOPWORDS and rng.random() < 0.12:
            tokens[j] = rng.choice(vocabulary)
    text = " ".join(tokens).rstrip(".")
    return text[0].upper() + text[1:] + "."


def _join(chosen: list[str], rng: random.Random) -> str:
    as_list, filler = rng.random() < 0.15, rng.choice(FILLERS) if rng.random() < 0.3 else ""
    budget, kept = MAX_WORDS - len(filler.split()), []
    for sentence in chosen:
        tokens = sentence.split()
        if len(tokens) > budget:
            tokens = tokens[:budget]
            if len(tokens) < 3:
                break
            tokens[-1] = tokens[-1].rstrip(".,;:") + "."
        kept.append(" ".join(tokens))
        budget -= len(tokens)
        if budget <= 0:
            break
    if as_list:
        return "\n".join(f"- {s}" for s in kept)
    if filler:
        kept[0] = f"{filler} {kept[0][0].lower()}{kept[0][1:]}"
    return " ".join(kept)


# ---------------------------------------------------------------------------------------------
# figures


@dataclass
class Row:
    """One line of the table."""

    name: str
    answers: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    texts: int = 0  # texts sent to the model (raw rows)
    ratio: float | None = None
    ratio_of: str = ""
    target: str = ""
    note: str = ""

    @property
    def rate(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")

    def as_json(self) -> dict[str, object]:
        data = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        data.update(answers_per_s=self.rate, p50_ms=self.pct(50), p95_ms=self.pct(95), p99_ms=self.pct(99))
        if self.texts:
            data["texts_per_s"] = self.texts / self.seconds
        return data


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__().replace("'", "")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------------------------------
# raw model and library, in this process


class Recorder:
    """Passes texts to the embedder and keeps each call's texts (and whether sentence or token
    vectors were asked for), to replay them on the raw model."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name = inner, inner.name
        self.calls: list[tuple[str, list[str]]] = []

    def encode(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        self.calls.append(("encode", list(texts)))
        return self.inner.encode(texts)

    def token_vectors(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
        self.calls.append(("token_vectors", list(texts)))
        return self.inner.token_vectors(texts)


def replay(raw, calls: list[tuple[str, list[str]]]) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Seconds the raw embedder takes for the same calls on the same texts, and the text count."""
    started = time.perf_counter()
    for method, texts in calls:
        getattr(raw, method)(texts)
    return time.perf_counter() - started, sum(len(t) for _, t in calls)


def fresh(embedder, pairs: list[tuple[str, str]], judge=None):  # type: ignore[no-untyped-def]
    """An Evaluator on `embedder` with judges of its own, warmed up on answers not in `pairs`."""
    from evaluator import Evaluator

    evaluator = Evaluator(embedder=embedder, cache_size=0, judge=judge)
    evaluator.warm_up()
    for qid, text in generate_answers(8, seed=len(pairs) + 99):
        evaluator.evaluate(text, question_id=qid)
    return evaluator


def bench_library(
    pairs: list[tuple[str, str]], many_batch: int
) -> tuple[list[Row], list[float], dict[str, object]]:
    from evaluator import EvaluationRequest, Evaluator
    from evaluator.judge import DEFAULT_JUDGE, make_judge

    evaluator = Evaluator(cache_size=0)  # no cache: the library encodes what raw encodes
    raw = evaluator.embedder
    recorder = evaluator.embedder = Recorder(raw)
    evaluator.warm_up()
    for qid, text in generate_answers(8, seed=len(pairs) + 99):  # the code paths, the model's first calls
        evaluator.evaluate(text, question_id=qid)
    replay(raw, recorder.calls[-8:])

    raw_single = Row("raw encode, one answer's texts per call")
    single = Row("library evaluate (one answer)")
    singles = []
    for qid, text in pairs:
        recorder.calls.clear()
        started = time.perf_counter()
        singles.append(evaluator.evaluate(text, question_id=qid))
        elapsed = time.perf_counter() - started
        raw_seconds, texts = replay(raw, recorder.calls)
        single.latencies_ms.append(elapsed * 1000)
        raw_single.latencies_ms.append(raw_seconds * 1000)
        raw_single.texts += texts
    for row, seconds in ((single, single.latencies_ms), (raw_single, raw_single.latencies_ms)):
        row.answers, row.seconds = len(pairs), sum(seconds) / 1000
    single.ratio = single.pct(50) / raw_single.pct(50)
    single.ratio_of, single.target = "p50 / raw p50", "<= 1.2"

    raw_many = Row(f"raw encode, evaluate_many's texts ({many_batch} answers/call)")
    whole = Row(f"raw encode, one text per whole answer ({many_batch} answers/call)")
    many = Row(f"library evaluate_many ({many_batch} answers/call)")
    batched = []
    # each timed run below gets judges of its own: their caches (the parse judge's) would otherwise
    # hold the sentences of these very answers from the run before
    evaluator = fresh(recorder, pairs)
    for i in range(0, len(pairs), many_batch):
        chunk = [EvaluationRequest(text, qid) for qid, text in pairs[i : i + many_batch]]
        recorder.calls.clear()
        started = time.perf_counter()
        batched += evaluator.evaluate_many(chunk)
        elapsed = time.perf_counter() - started
        raw_seconds, texts = replay(raw, recorder.calls)
        whole_seconds, _ = replay(raw, [("encode", [r.answer for r in chunk])])
        for row, seconds in ((many, elapsed), (raw_many, raw_seconds), (whole, whole_seconds)):
            row.answers += len(chunk)
            row.seconds += seconds
            row.latencies_ms += [seconds * 1000] * len(chunk)
        raw_many.texts += texts
        whole.texts += len(chunk)
    many.ratio, many.ratio_of, many.target = many.rate / raw_many.rate, "answers/s / raw", ">= 0.9"
    whole.ratio, whole.ratio_of, whole.target = many.rate / whole.rate, "library / this", ">= 0.6"
    same = {  # batching changes padding, so vectors may differ in the 7th decimal: does any output?
        "answers": len(pairs),
        "identical_json": sum(a.model_dump_json() == b.model_dump_json() for a, b in zip(singles, batched)),
        "max_score_difference": max(abs(a.score - b.score) for a, b in zip(singles, batched)),
    }
    words = Row(f"library evaluate_many, word-cue judge only ({many_batch} answers/call)")
    words_only = fresh(raw, pairs, make_judge("words"))
    for i in range(0, len(pairs), many_batch):
        chunk = [EvaluationRequest(text, qid) for qid, text in pairs[i : i + many_batch]]
        started = time.perf_counter()
        words_only.evaluate_many(chunk)
        words.answers += len(chunk)
        words.seconds += time.perf_counter() - started
    many_judged = Row(f"library evaluate_many, default judges ({DEFAULT_JUDGE}), again")
    evaluator = fresh(raw, pairs)
    for i in range(0, len(pairs), many_batch):  # timed after the word-only run too: the same machine load
        chunk = [EvaluationRequest(text, qid) for qid, text in pairs[i : i + many_batch]]
        started = time.perf_counter()
        evaluator.evaluate_many(chunk)
        many_judged.answers += len(chunk)
        many_judged.seconds += time.perf_counter() - started
    many_judged.ratio, many_judged.ratio_of, many_judged.target = many_judged.rate / words.rate, "answers/s / word cues", ">= 0.8"
    return [raw_single, single, raw_many, many, whole, words, many_judged], [r.score for r in singles], same


# ---------------------------------------------------------------------------------------------
# the API server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env.update(EVALUATOR_CACHE_SIZE="0", EVALUATOR_LOG_LEVEL="warning", **extra)
    return env


class Server:
    """`python -m cli serve` on a free loopback port; `cold_start` = spawn to /readyz 200."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        import httpx

        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        started = time.perf_counter()
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + READY_TIMEOUT
        with httpx.Client(base_url=self.base, timeout=5) as client:  # one client: polling stays cheap
            while True:
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited:\n{log.read_text()}")
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server never became ready:\n{log.read_text()}")
                time.sleep(0.05)
        self.cold_start = time.perf_counter() - started
        self.rss_ready = rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


async def _post_all(
    base: str, pairs: list[tuple[str, str]], concurrency: int, until: float | None = None
) -> tuple[list[float], list[float], float]:
    """Each answer in its own request, `concurrency` at a time (cycling through `pairs` until
    `until` if given): (latencies in ms, scores in input order, seconds)."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    scores = [0.0] * len(pairs)
    next_index = 0
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:

        async def worker() -> None:
            nonlocal next_index
            while until is not None or next_index < len(pairs):
                if until is not None and time.perf_counter() > until:
                    return
                index = next_index % len(pairs)
                next_index += 1
                qid, text = pairs[index]
                started = time.perf_counter()
                response = await client.post("/v1/evaluations", json={"question_id": qid, "answer": text})
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                scores[index] = response.json()["score"]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, scores, time.perf_counter() - started


def bench_api(
    server: Server, pairs: list[tuple[str, str]], levels: Sequence[int]
) -> tuple[list[Row], list[float]]:
    asyncio.run(_post_all(server.base, pairs[:16], 4))  # warm the server's code paths
    rows, first_scores = [], []
    for concurrency in levels:
        latencies, scores, seconds = asyncio.run(_post_all(server.base, pairs, concurrency))
        rows.append(Row(f"api POST /v1/evaluations c={concurrency}", len(pairs), seconds, latencies))
        first_scores = first_scores or scores
    rows.append(post_batches(server.base, pairs, BATCH_ENDPOINT_ITEMS))
    return rows, first_scores


def post_batches(base: str, pairs: list[tuple[str, str]], size: int) -> Row:
    """The same answers through POST /v1/evaluations/batch, `size` per request, one at a time."""
    import httpx

    row = Row(f"api POST /v1/evaluations/batch ({size}/request) c=1")
    with httpx.Client(base_url=base, timeout=600) as client:
        for i in range(0, len(pairs), size):
            items = [{"question_id": qid, "answer": text} for qid, text in pairs[i : i + size]]
            started = time.perf_counter()
            client.post("/v1/evaluations/batch", json={"items": items}).raise_for_status()
            elapsed = time.perf_counter() - started
            row.answers, row.seconds = row.answers + len(items), row.seconds + elapsed
            row.latencies_ms += [elapsed * 1000] * len(items)
    return row


def api_section(
    server: Server, pairs: list[tuple[str, str]], concurrency: str, library: list[Row], window: str
) -> tuple[list[Row], list[float]]:
    """The API rows, with their ratios to the library rows measured before."""
    rows, scores = bench_api(server, pairs, [int(c) for c in concurrency.split(",")])
    many = next((r for r in library if r.name.startswith("library evaluate_many")), None)
    single = next((r for r in library if r.name.startswith("library evaluate (")), None)
    for row in rows:
        row.name += f" window {window}"
        if many:
            row.ratio, row.ratio_of = row.rate / many.rate, "answers/s / lib"
            row.target = ">= 0.8" if row.name.startswith("api POST /v1/evaluations c=8 ") else ""
        if single and row.name.startswith("api POST /v1/evaluations c=1 "):
            row.note = f"p50 x{row.pct(50) / single.pct(50):.2f} of library evaluate p50"
    return rows, scores


def soak(
    server: Server, pairs: list[tuple[str, str]], seconds: float, concurrency: int = 8
) -> dict[str, object]:
    """Load the server for `seconds`; its RSS sampled every second (MB)."""
    samples: list[float] = []
    done = False

    async def sample() -> None:
        while not done:
            samples.append(rss_mb(server.process.pid))
            await asyncio.sleep(1)

    async def run() -> tuple[list[float], list[float], float]:
        nonlocal done
        sampler = asyncio.create_task(sample())
        try:
            return await _post_all(server.base, pairs, concurrency, until=time.perf_counter() + seconds)
        finally:
            done = True
            await sampler

    latencies, _, elapsed = asyncio.run(run())
    first, last = samples[: max(1, len(samples) // 10)], samples[-max(1, len(samples) // 10) :]
    return {
        "seconds": elapsed,
        "concurrency": concurrency,
        "requests": len(latencies),
        "answers_per_s": len(latencies) / elapsed,
        "rss_first_mb": float(np.mean(first)),
        "rss_last_mb": float(np.mean(last)),
        "rss_max_mb": max(samples),
        "rss_samples_mb": [round(s, 1) for s in samples],
    }


# ---------------------------------------------------------------------------------------------
# the batch command


def bench_batch(n: int, seed: int, env: dict[str, str], tmp: Path) -> tuple[Row, dict[str, float]]:
    source, output = tmp / "answers.jsonl", tmp / "results.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i, (qid, text) in enumerate(generate_answers(n, seed + 1)):
            handle.write(json.dumps({"id": f"a{i}", "question_id": qid, "answer": text}) + "\n")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "batch", str(source), "-o", str(output)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"evaluator batch failed ({process.returncode}):\n{stderr}")
    match = re.search(r"\(([\d.]+) rows/s\)", stderr)
    rate = float(match.group(1)) if match else n / wall
    note = f"wall {wall:.1f} s with model load"
    row = Row(f"batch CLI, {n:,} answers (scoring only)", n, n / rate, note=note)
    return row, {"answers": n, "wall_seconds": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


# ---------------------------------------------------------------------------------------------
# the batch engines: local against Ray


def bench_ray(
    n: int, seed: int, workers: Sequence[int], tmp: Path
) -> tuple[list[Row], list[tuple[str, str, str]], dict[str, object]]:
    """Local engine, the driver alone, then Ray at each worker count, on the same generated answers."""
    from evaluator import Evaluator
    from evaluator.batch.question_match import QuestionMatcher
    from evaluator.batch.runner import run_chunks, score_chunk

    source = tmp / "ray-answers.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i, (qid, text) in enumerate(generate_answers(n, seed + 2)):
            handle.write(json.dumps({"id": f"a{i}", "question_id": qid, "answer": text}) + "\n")
    evaluator = Evaluator()  # as `evaluator batch` builds it (answer cache on)
    matcher = QuestionMatcher(evaluator.bank, evaluator.embedder)
    recorded: list[object] = []

    def score_and_record(chunks):  # type: ignore[no-untyped-def]
        for chunk in chunks:
            recorded.append(score_chunk(chunk, evaluator, matcher))
            yield chunk, recorded[-1]

    local = run_chunks([source], tmp / "local.jsonl", score_and_record)
    replayed = iter(recorded)
    driver = run_chunks([source], tmp / "driver.jsonl", lambda chunks: ((c, next(replayed)) for c in chunks))
    local_row = Row(f"batch engine local, {n:,} answers", n, local.elapsed)
    driver_row = Row("batch driver alone (replayed records: read, commit)", n, driver.elapsed)
    rows = [local_row, driver_row]
    info: dict[str, object] = {"answers": n, "local_per_s": local_row.rate, "driver_per_s": driver_row.rate}
    try:
        started = time.perf_counter()
        ray = start_local_ray()
    except ImportError:
        return rows, [("ray engine", "not measured: pip install -e '.[ray]'", "")], info
    info["ray_init_s"] = time.perf_counter() - started
    from evaluator.batch.ray_engine import RayOptions, run_batch_ray

    try:
        for count in workers:
            output = tmp / f"ray-{count}.jsonl"
            started = time.perf_counter()
            stats = run_batch_ray([source], output, bank=evaluator.bank, options=RayOptions(workers=count))
            start_up = time.perf_counter() - started - stats.elapsed
            same = output.read_bytes() == (tmp / "local.jsonl").read_bytes()
            row = Row(f"batch engine ray, {count} worker(s)", n, stats.elapsed)
            row.ratio, row.ratio_of = row.rate / local_row.rate, "answers/s / local"
            row.target = ">= 0.85" if count == 1 else ""
            row.note = f"{row.rate / count:.1f}/s per worker; start {start_up:.1f} s; output = local: {same}"
            rows.append(row)
            info[f"ray_{count}"] = {
                "answers_per_s": row.rate, "per_worker_per_s": row.rate / count,
                "start_up_s": start_up, "identical_to_local": same,
            }  # fmt: skip
    finally:
        ray.shutdown()
    widest = max(workers)
    per_worker, start_up = info[f"ray_{widest}"]["per_worker_per_s"], info[f"ray_{widest}"]["start_up_s"]
    extras = []
    for count in PROJECTED_WORKERS:
        rate = min(count * per_worker, driver_row.rate)
        seconds = start_up + PROJECTED_ANSWERS / rate
        bound = "the driver" if rate == driver_row.rate else f"{count} x {per_worker:.1f}/s"
        name = f"ray projection: {PROJECTED_ANSWERS:,} answers on {count} workers"
        extras.append((name, f"{seconds / 3600:.2f} h ({bound}, + {start_up:.0f} s start)", ""))
        info[f"projected_hours_{count}"] = seconds / 3600
    return rows, extras, info


def start_local_ray():  # type: ignore[no-untyped-def]
    """A Ray cluster in this process with every core, on loopback only (see evaluator.batch.ray_engine)."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    ray.init(
        num_cpus=os.cpu_count(), include_dashboard=False, object_store_memory=256 * 2**20,
        logging_level="ERROR", log_to_driver=False,
    )  # fmt: skip
    return ray


# ---------------------------------------------------------------------------------------------
# main


def print_table(rows: list[Row], extras: list[tuple[str, str, str]]) -> None:
    header = (
        f"{'path':<56} {'answers/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ratio':>6}  "
        f"{'of':<16} target"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = f"{r.ratio:>6.2f}" if r.ratio is not None else f"{'':>6}"
        line = f"{r.name:<56} {r.rate:>9.1f} {r.pct(50):>8.1f} {r.pct(95):>8.1f} {r.pct(99):>8.1f} {ratio}  "
        print(f"{line}{r.ratio_of:<16} {r.target}{'  ' + r.note if r.note else ''}".rstrip())
    for name, value, target in extras:
        print(f"{name:<56} {value:>36}  {'':<23} {target}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    add("--answers", type=int, default=300, help="answers for the library and the API (300)")
    add("--many-batch", type=int, default=64, help="answers per evaluate_many call (64)")
    add("--concurrency", default="1,8,32", help="API concurrency levels (1,8,32)")
    add("--soak", type=float, default=120, help="seconds of load to watch the server's RSS (120; 0 = off)")
    add("--batch-answers", type=int, default=20_000, help="answers for `evaluator batch` (20000)")
    add("--ray-answers", type=int, default=2000, help="answers for the local and Ray batch engines (2000)")
    add("--ray-workers", default="1,2", help="Ray worker counts to measure (1,2)")
    add("--backend", help="EVALUATOR_BACKEND for the library and subprocesses (torch|onnx|onnx-int8)")
    add("--threads", type=int, help="EVALUATOR_THREADS (threads of one forward pass) for all sides")
    add("--window-ms", type=float, help="EVALUATOR_BATCH_WINDOW_MS for the server")
    add("--compare-window", type=float, metavar="MS", help="API again, on a server with this window")
    add("--env", action="append", default=[], metavar="NAME=VALUE", help="more EVALUATOR_* settings")
    add("--seed", type=int, default=7)
    add("--quick", action="store_true", help="small figures: 60 answers, 20 s soak, 1,000-answer batch")
    add("--json", metavar="PATH", help="also write every figure as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.answers, args.soak = min(args.answers, 60), min(args.soak, 20)
        args.batch_answers = min(args.batch_answers, 1000)
        args.ray_answers = min(args.ray_answers, 300)
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    if not sections <= set(SECTIONS):
        parser.error(f"--only takes {','.join(SECTIONS)}")
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    extra = dict(item.split("=", 1) for item in args.env)
    if args.backend:
        extra["EVALUATOR_BACKEND"] = args.backend
    if args.threads:
        extra["EVALUATOR_THREADS"] = str(args.threads)
    os.environ.update(extra)  # the library in this process reads the same settings
    server_extra = {**extra}
    if args.window_ms is not None:
        server_extra["EVALUATOR_BATCH_WINDOW_MS"] = str(args.window_ms)
    server_env = child_env(server_extra)

    pairs = generate_answers(args.answers, args.seed)
    lengths = [len([w for w in t.split() if w != "-"]) for _, t in pairs]
    meta: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_start": loadavg(),
        "answers": len(pairs),
        "words_min_mean_max": [min(lengths), round(float(np.mean(lengths)), 1), max(lengths)],
        "settings": server_extra,
        "cache": "off (EVALUATOR_CACHE_SIZE=0 / cache_size=0)",
    }
    print(
        f"{meta['date']}  {meta['cpu']}, {meta['cores']} cores, load average {meta['loadavg_start']}\n"
        f"{len(pairs)} generated answers (seed {args.seed}), "
        f"words min/mean/max {meta['words_min_mean_max']}; "
        f"settings {meta['settings'] or 'defaults'}; answer cache off",
        flush=True,
    )
    rows: list[Row] = []
    extras: list[tuple[str, str, str]] = []
    results: dict[str, object] = {"meta": meta}
    library_scores: list[float] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = Server(server_env, tmp / "server.log") if "api" in sections else None
        try:
            if server:
                cold = f"{server.cold_start:.2f} s"
                extras.append(("api cold start: spawn to /readyz 200", cold, "<= 5 s"))
                print(f"server ready in {server.cold_start:.2f} s", flush=True)
            if "library" in sections:
                library_rows, library_scores, same = bench_library(pairs, args.many_batch)
                rows += library_rows
                results["evaluate_vs_evaluate_many"] = same
                extras.append((
                    "evaluate vs evaluate_many: identical JSON",
                    f"{same['identical_json']}/{same['answers']} "
                    f"(max |d score| {same['max_score_difference']:.4f})",
                    "all",
                ))  # fmt: skip
                print(f"library done, load average {loadavg()}", flush=True)
            if server:
                window = server_extra.get("EVALUATOR_BATCH_WINDOW_MS", "default")
                api_rows, api_scores = api_section(server, pairs, args.concurrency, rows, window)
                rows += api_rows
                if library_scores:
                    drift = max(abs(a - b) for a, b in zip(library_scores, api_scores, strict=True))
                    extras.append(("largest |score api - score library|", f"{drift:.4f}", "0"))
                print(f"api done, load average {loadavg()}", flush=True)
                if args.soak > 0:
                    results["soak"] = s = soak(server, pairs, args.soak)
                    extras.append((
                        f"server RSS over {s['seconds']:.0f} s load at c=8 ({s['requests']} requests)",
                        f"{s['rss_first_mb']:.0f} -> {s['rss_last_mb']:.0f} MB (max {s['rss_max_mb']:.0f})",
                        "flat",
                    ))  # fmt: skip
                peak = rss_mb(server.process.pid, "VmHWM")
                extras.append(("server RSS when ready / peak", f"{server.rss_ready:.0f} / {peak:.0f} MB", ""))
                results["server"] = {
                    "cold_start_s": server.cold_start,
                    "rss_ready_mb": server.rss_ready,
                    "peak_rss_mb": peak,
                }
        finally:
            if server:
                server.stop()
        if server and args.compare_window is not None:
            window = f"{args.compare_window:g}"
            other_env = child_env({**server_extra, "EVALUATOR_BATCH_WINDOW_MS": window})
            other = Server(other_env, tmp / "other.log")
            try:
                rows += api_section(other, pairs, args.concurrency, rows, window)[0]
                print(f"api (window {window}) done, load average {loadavg()}", flush=True)
            finally:
                other.stop()
        if "batch" in sections:
            batch_row, batch_info = bench_batch(args.batch_answers, args.seed, child_env(extra), tmp)
            many = next((r for r in rows if r.name.startswith("library evaluate_many")), None)
            if many:
                batch_row.ratio, batch_row.ratio_of = batch_row.rate / many.rate, "answers/s / lib"
            rows.append(batch_row)
            name = f"batch CLI peak RSS ({batch_info['answers']:,} answers)"
            extras.append((name, f"{batch_info['peak_rss_mb']:.0f} MB", ""))
            results["batch"] = batch_info
        if "ray" in sections:
            ray_workers = [int(w) for w in args.ray_workers.split(",")]
            ray_rows, ray_extras, results["ray"] = bench_ray(args.ray_answers, args.seed, ray_workers, tmp)
            rows += ray_rows
            extras += ray_extras
            print(f"ray done, load average {loadavg()}", flush=True)
    meta["loadavg_end"] = loadavg()
    print()
    print_table(rows, extras)
    print(f"\nload average at the end {meta['loadavg_end']}")
    results["rows"] = [r.as_json() for r in rows]
    results["extras"] = [{"name": n, "value": v, "target": t} for n, v, t in extras]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
