"""Benchmark: the same answers scored by the library in-process and by the REST API over loopback.

Scores 200 answers (texts of tests/data/graded/*.yaml and the bank's reference answers, round-robin
over the questions) with Evaluator.evaluate, with Evaluator.evaluate_many, and through a server this
script starts itself on 127.0.0.1 (`python -m evaluator serve`), at concurrency 1, 8 and 32 (threads
sharing one httpx client), plus the batch endpoint. Prints answers/s and p50/p95/p99 latency side by
side, and the server/library ratios. Both sides run with the answer-vector cache off, so every
answer is really encoded (repeated texts would otherwise be free).

    .venv/bin/python scripts/bench_api.py [--answers 200] [--batch 32]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluator import EvaluationRequest, Evaluator  # noqa: E402
from rubric import load_bank  # noqa: E402

CONCURRENCY = (1, 8, 32)
READY_TIMEOUT = 600


@dataclass
class Row:
    name: str
    answers: int
    seconds: float
    latencies: list[float]  # seconds, one per answer (an answer in a batch waits for the whole batch)

    @property
    def rate(self) -> float:
        return self.answers / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def collect_answers(n: int) -> list[tuple[str, str]]:
    """(question_id, answer) pairs, round-robin over the questions so all of them are used."""
    bank = load_bank()
    per_question: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests" / "data" / "graded").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["question_id"] in bank:
            per_question[data["question_id"]] = [
                a["text"] for a in data["answers"] if a.get("text", "").strip()
            ]
    for question in bank.values():
        if question.reference_answer:
            per_question.setdefault(question.id, []).insert(0, question.reference_answer)
    pairs: list[tuple[str, str]] = []
    depth = 0
    while len(pairs) < n and any(depth < len(texts) for texts in per_question.values()):
        pairs += [(qid, texts[depth]) for qid, texts in per_question.items() if depth < len(texts)]
        depth += 1
    if len(pairs) < n:
        raise SystemExit(f"only {len(pairs)} answers available, {n} asked")
    return pairs[:n]


def timed(name: str, work: Callable[[], list[float]], answers: int) -> Row:
    started = time.perf_counter()
    latencies = work()
    return Row(name, answers, time.perf_counter() - started, latencies)


def bench_library(
    evaluator: Evaluator, pairs: list[tuple[str, str]], batch: int
) -> tuple[Row, Row, list[float]]:
    scores: list[float] = []

    def one_by_one() -> list[float]:
        latencies = []
        for qid, text in pairs:
            start = time.perf_counter()
            scores.append(evaluator.evaluate(text, question_id=qid).score)
            latencies.append(time.perf_counter() - start)
        return latencies

    def batched() -> list[float]:
        latencies = []
        for i in range(0, len(pairs), batch):
            chunk = [EvaluationRequest(text, qid) for qid, text in pairs[i : i + batch]]
            start = time.perf_counter()
            evaluator.evaluate_many(chunk)
            latencies += [time.perf_counter() - start] * len(chunk)
        return latencies

    single = timed("library evaluate", one_by_one, len(pairs))
    many = timed(f"library evaluate_many ({batch}/call)", batched, len(pairs))
    return single, many, scores


def bench_server(base: str, pairs: list[tuple[str, str]], batch: int) -> tuple[list[Row], list[float]]:
    rows = []
    scores: list[float] = [0.0] * len(pairs)
    for concurrency in CONCURRENCY:
        latencies, seconds = _post_concurrently(base, pairs, concurrency, scores)
        rows.append(Row(f"server POST /v1/evaluations c={concurrency}", len(pairs), seconds, latencies))

    with httpx.Client(base_url=base, timeout=300) as client:

        def batched() -> list[float]:
            latencies = []
            for i in range(0, len(pairs), batch):
                items = [{"question_id": qid, "answer": text} for qid, text in pairs[i : i + batch]]
                start = time.perf_counter()
                client.post("/v1/evaluations/batch", json={"items": items}).raise_for_status()
                latencies += [time.perf_counter() - start] * len(items)
            return latencies

        rows.append(timed(f"server POST /v1/evaluations/batch ({batch}/call) c=1", batched, len(pairs)))
    return rows, scores


def _post_concurrently(
    base: str, pairs: list[tuple[str, str]], concurrency: int, scores: list[float]
) -> tuple[list[float], float]:
    """Each answer in its own request, `concurrency` threads sharing one client; (latencies, seconds)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=base, timeout=300, limits=limits) as client:

        def post(index: int) -> float:
            qid, text = pairs[index]
            start = time.perf_counter()
            response = client.post("/v1/evaluations", json={"question_id": qid, "answer": text})
            elapsed = time.perf_counter() - start
            response.raise_for_status()
            scores[index] = response.json()["score"]
            return elapsed

        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            latencies = list(pool.map(post, range(len(pairs))))
        return latencies, time.perf_counter() - started


def start_server(log_path: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env.update(EVALUATOR_CACHE_SIZE="0", EVALUATOR_LOG_LEVEL="warning")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "evaluator", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def wait_ready(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def print_table(rows: list[Row], baselines: dict[str, Row]) -> None:
    header = f"{'path':<48} {'answers/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  server/library"
    print(header)
    print("-" * len(header))
    for row in rows:
        base = baselines.get(row.name)
        ratio = (
            f"answers/s x{row.rate / base.rate:.2f}, p50 x{row.pct(50) / base.pct(50):.2f} "
            f"(vs {base.name.removeprefix('library ')})"
            if base
            else "baseline"
        )
        figures = f"{row.rate:>9.1f} {row.pct(50):>8.1f} {row.pct(95):>8.1f} {row.pct(99):>8.1f}"
        print(f"{row.name:<48} {figures}  {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--batch", type=int, default=32, help="answers per evaluate_many / batch request")
    args = parser.parse_args()

    pairs = collect_answers(args.answers)
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        process, base = start_server(log_path)
        try:
            evaluator = Evaluator(cache_size=0)
            evaluator.warm_up()
            wait_ready(base, process, log_path)
            warm = pairs[:16]
            for qid, text in warm:  # warm both sides' code paths before timing
                evaluator.evaluate(text, question_id=qid)
                httpx.post(f"{base}/v1/evaluations", json={"question_id": qid, "answer": text}, timeout=300)

            print(
                f"{len(pairs)} answers to {len({q for q, _ in pairs})} questions, "
                f"{sum(len(t) for _, t in pairs) / len(pairs):.0f} characters on average; "
                f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}; "
                "answer cache off on both sides"
            )
            single, many, library_scores = bench_library(evaluator, pairs, args.batch)
            server_rows, server_scores = bench_server(base, pairs, args.batch)
        finally:
            process.terminate()
            process.wait(timeout=60)

    baselines = {row.name: single for row in server_rows[:-1]} | {server_rows[-1].name: many}
    print()
    print_table([single, many, *server_rows], baselines)
    drift = max(abs(a - b) for a, b in zip(library_scores, server_scores, strict=True))
    print(f"\nlargest score difference server vs library over the {len(pairs)} answers: {drift:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
