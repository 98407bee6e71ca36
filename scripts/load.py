"""Load test: 16 concurrent clients on loopback for 2 minutes, mixed endpoints, against a real server.

Starts `python -m cli serve` itself on a free 127.0.0.1 port (bundled bank, default settings), or
uses --url (only loopback addresses are accepted). First a single client runs alone for 10 s (the
baseline), then --clients clients warm the server up for 20 s (not counted), then the same clients send
a mix of requests (bank-question and inline-rubric evaluations with varied answers, batches, question
look-ups, health checks) for --seconds. Prints requests/s, p50/p99 latency overall and per endpoint,
errors (any request of any phase that was not a 200), and the server's RSS at the start and the end of
the loaded phase. Exits 1 if any request failed or RSS grew by more than 10%.

Every answer is new, so the answer cache grows to its bound under this load; at the default 20,000
entries that takes minutes and about 70 MiB, which would read as a leak. The servers started here
therefore keep --cache-size entries (1,000 by default: full within the warm-up), so that growth in
the loaded phase is memory that is not bounded. `--cache-size 20000 --seconds 600` shows the
default's whole footprint.

By default it does all that twice, on `evaluator serve --workers 1` and then `--workers 2`, and
compares their throughput; RSS is the server's whole process tree, and each worker's is shown too.

    .venv/bin/python scripts/load.py [--seconds 120] [--clients 16] [--workers 1,2] [--cache-size 1000]
    .venv/bin/python scripts/load.py --url http://127.0.0.1:8000 [--pid N]
"""

from __future__ import annotations

import argparse
import functools
import ipaddress
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 600
READY_LINE = "ready: model"  # logged by each worker once its model is loaded
BASELINE_SECONDS = 10
WARM_UP_SECONDS = 20
MAX_RSS_GROWTH = 0.10

QUESTIONS = ["fresher-01", "fresher-03", "fresher-04", "fresher-06", "fresher-10", "intermediate-05"]
SENTENCES = [
    "Deep learning stacks many layers of a neural network that learn features from raw data.",
    "Classical machine learning relies on features engineered by hand.",
    "Backpropagation applies the chain rule to get the gradient of the loss for every weight.",
    "Gradient descent moves the weights a small step against the gradient.",
    "Dropout switches off random neurons during training, which reduces overfitting.",
    "At inference time dropout is turned off.",
    "An epoch is one full pass over the training set.",
    "Transfer learning reuses a model pre-trained on a large dataset and fine-tunes it.",
    "A larger learning rate can make training diverge.",
    "Batch normalization standardizes the inputs of a layer.",
]
RUBRIC = {
    "id": "load-dropout",
    "text": "What does dropout do?",
    "key_points": [
        {"id": "zeroes-units", "text": "Dropout randomly sets a fraction of activations to zero in training."},
        {"id": "regularizes", "text": "Dropout reduces overfitting by acting as a regularizer.", "weight": 2},
        {"id": "off-at-test", "text": "Dropout is disabled at inference time."},
    ],
}


def answer(rng: random.Random) -> str:
    """A varied answer (3-6 sentences and a number), so the answer cache does not make requests free."""
    return " ".join(rng.sample(SENTENCES, rng.randint(3, 6))) + f" Case {rng.randrange(10**6)}."


Request = tuple[str, str, dict[str, Any] | None]
# (name, weight in %, request builder taking a random generator and the question ids to use)
MIX: list[tuple[str, int, Callable[[random.Random, list[str]], Request]]] = [
    ("evaluate (bank)", 40, lambda r, q: ("POST", "/v1/evaluations", {"question_id": r.choice(q), "answer": answer(r)})),
    ("evaluate (rubric)", 15, lambda r, q: ("POST", "/v1/evaluations", {"rubric": RUBRIC, "answer": answer(r)})),
    ("evaluate batch of 8", 10, lambda r, q: (
        "POST", "/v1/evaluations/batch",
        {"items": [{"question_id": r.choice(q), "answer": answer(r)} for _ in range(8)]},
    )),
    ("list questions", 15, lambda r, q: ("GET", f"/v1/questions?level={r.choice(['fresher', 'intermediate'])}", None)),
    ("get question", 10, lambda r, q: ("GET", f"/v1/questions/{r.choice(q)}", None)),
    ("healthz", 5, lambda r, q: ("GET", "/healthz", None)),
    ("readyz", 5, lambda r, q: ("GET", "/readyz", None)),
]  # fmt: skip


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            if error is not None:
                self.errors.append(f"{name}: {error}")

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def client_loop(
    base: str, headers: dict[str, str], questions: list[str], seed: int, until: float, tally: Tally
) -> None:
    rng = random.Random(seed)
    names, weights = [m[0] for m in MIX], [m[1] for m in MIX]
    builders = {m[0]: m[2] for m in MIX}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        while time.monotonic() < until:
            name = rng.choices(names, weights)[0]
            method, path, body = builders[name](rng, questions)
            started = time.perf_counter()
            error = None
            try:
                response = client.request(method, path, json=body)
                if response.status_code != 200:
                    error = f"{response.status_code} {response.text[:200]}"
                elif name == "evaluate batch of 8" and any("error" in r for r in response.json()["results"]):
                    error = f"a batch item failed: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            tally.add(name, time.perf_counter() - started, error)


def run_phase(
    base: str, headers: dict[str, str], questions: list[str], clients: int, seconds: float, seed: int
) -> tuple[Tally, float]:
    tally = Tally()
    until = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [
        threading.Thread(target=client_loop, args=(base, headers, questions, seed + i, until, tally)) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


def pick_questions(base: str, headers: dict[str, str]) -> list[str]:
    """QUESTIONS that the server's bank has (or its first six), so any bank folder works."""
    response = httpx.get(f"{base}/v1/questions", headers=headers, timeout=60)
    if response.status_code != 200:
        sys.exit(f"load: GET /v1/questions answered {response.status_code}: {response.text[:200]}")
    ids = [q["id"] for q in response.json()["questions"]]
    return [q for q in QUESTIONS if q in ids] or ids[:6]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(log_path: Path, workers: int = 1, cache_size: int = 1000) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}
    env["EVALUATOR_CACHE_SIZE"] = str(cache_size)
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, process)
    if workers > 1:  # /readyz answered by one worker: wait until every worker has loaded its model
        deadline = time.monotonic() + READY_TIMEOUT
        while log_path.read_text(errors="replace").count(READY_LINE) < workers:
            if time.monotonic() > deadline or process.poll() is not None:
                sys.exit(f"load: not every one of the {workers} workers became ready")
            time.sleep(0.2)
    return base, process


def wait_ready(base: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit("load: the server exited before it was ready")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"load: {base} never became ready")


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"load: only loopback addresses are load-tested, not {host!r}")
    return url.rstrip("/")


def listener_pid(url: str) -> int | None:
    """The pid of the process listening on the URL's port (needs the rights to see it), else None."""
    port = urlsplit(url).port or 80
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return conn.pid
    except psutil.AccessDenied:
        return None
    return None


def worker_processes(pid: int) -> list[psutil.Process]:
    """The processes that serve requests: uvicorn's spawned workers, or the server itself when it has none."""
    server = psutil.Process(pid)
    workers = [c for c in server.children() if "spawn_main" in " ".join(c.cmdline())]
    return workers or [server]


def rss_mib(pid: int | None) -> float | None:
    """RSS of the server and every process under it (its workers), MiB."""
    if not pid:
        return None
    server = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [server, *server.children(recursive=True)]) / 2**20


def worker_rss_mib(pid: int | None) -> list[float]:
    return [p.memory_info().rss / 2**20 for p in worker_processes(pid)] if pid else []


def report(title: str, tally: Tally, elapsed: float) -> None:
    every = [s for values in tally.latencies.values() for s in values]
    print(
        f"{title}: {tally.count} requests in {elapsed:.1f} s = {tally.count / elapsed:.1f} requests/s, "
        f"p50 {percentile(every, 50):.1f} ms, p99 {percentile(every, 99):.1f} ms, errors {len(tally.errors)}"
    )


@dataclass
class Run:
    """The phases against one server and its memory."""

    label: str
    base: str
    pid: int | None
    baseline: Tally
    baseline_elapsed: float
    warm_up: Tally
    loaded: Tally
    elapsed: float
    ready_rss: float | None
    start_rss: float | None
    end_rss: float | None
    worker_rss: list[float]  # each worker at the end of the load
    load_before: float
    load_after: float

    @property
    def rate(self) -> float:
        return self.loaded.count / self.elapsed


def measure(label: str, base: str, pid: int | None, headers: dict[str, str], args: argparse.Namespace) -> Run:
    questions = pick_questions(base, headers)
    ready_rss = rss_mib(pid)
    phase = functools.partial(run_phase, base, headers, questions)
    baseline, baseline_elapsed = phase(1, min(BASELINE_SECONDS, args.seconds), args.seed)
    # Concurrent warm-up, not counted: every worker thread allocates its buffers once, so the RSS
    # compared below is that of a server already under this load (growth then means a leak).
    warm_up, _ = phase(args.clients, min(WARM_UP_SECONDS, args.seconds), args.seed + 500)
    start_rss, load_before = rss_mib(pid), os.getloadavg()[0]
    loaded, elapsed = phase(args.clients, args.seconds, args.seed + 1000)
    end_rss, load_after = rss_mib(pid), os.getloadavg()[0]
    return Run(
        label, base, pid, baseline, baseline_elapsed, warm_up, loaded, elapsed,
        ready_rss, start_rss, end_rss, worker_rss_mib(pid), load_before, load_after,
    )  # fmt: skip


def print_run(run: Run, clients: int) -> bool:
    """The run's figures; True if it failed (a request failed, or RSS grew too much)."""
    print(f"\n== {run.label}: server {run.base} (pid {run.pid})")
    report("baseline, 1 client", run.baseline, run.baseline_elapsed)
    report(f"load, {clients} clients", run.loaded, run.elapsed)
    base_rate = run.baseline.count / run.baseline_elapsed
    print(f"throughput ratio, {clients} clients / 1 client: {run.rate / base_rate:.2f}x")
    print(f"{'endpoint':<22}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, _, _ in MIX:
        values = run.loaded.latencies.get(name, [])
        if values:
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(f"{name:<22}{len(values):>10}{p50:>10.1f}{p99:>10.1f}")
    print(
        f"machine load average (1 min): {run.load_before:.1f} at the start of the load, "
        f"{run.load_after:.1f} at the end"
    )
    errors = run.baseline.errors + run.warm_up.errors + run.loaded.errors
    failed = bool(errors)
    for error in errors[:10]:
        print(f"error: {error}")
    if run.start_rss is None or run.end_rss is None:
        print("server RSS: unknown (pass --pid)")
    else:
        growth = run.end_rss / run.start_rss - 1
        print(
            f"server RSS: {run.ready_rss:.0f} MiB when ready, {run.start_rss:.0f} MiB at the start of the "
            f"load, {run.end_rss:.0f} MiB at the end: growth {growth:+.1%} (limit {MAX_RSS_GROWTH:+.0%})"
        )
        workers = ", ".join(f"{rss:.0f}" for rss in run.worker_rss)
        print(f"RSS of each worker process at the end of the load: {workers} MiB")
        failed |= growth > MAX_RSS_GROWTH
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="length of the loaded phase (default 120)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", default="1,2", help="server processes to compare, started in turn (1,2)")
    parser.add_argument(
        "--cache-size", type=int, default=1000,
        help="EVALUATOR_CACHE_SIZE of the servers started here (default 1000: full within the warm-up)",
    )  # fmt: skip
    parser.add_argument("--url", help="a running server on loopback (default: start one per --workers)")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS (default: find it)")
    parser.add_argument("--api-key", default=os.environ.get("EVALUATOR_API_KEY"), help="X-API-Key to send")
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix (default 1)")
    args = parser.parse_args(argv)
    try:
        worker_counts = [int(n) for n in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers takes comma-separated numbers, not {args.workers!r}")
    headers = {"X-API-Key": args.api_key} if args.api_key else {}

    runs: list[Run] = []
    if args.url:
        base = loopback_only(args.url)
        wait_ready(base)
        runs.append(measure("the server at --url", base, args.pid or listener_pid(base), headers, args))
    for workers in [] if args.url else worker_counts:
        with tempfile.TemporaryDirectory() as folder:
            base, process = start_server(Path(folder) / "server.log", workers, args.cache_size)
            try:
                runs.append(measure(f"--workers {workers}", base, process.pid, headers, args))
            finally:
                process.terminate()
                process.wait(timeout=60)

    print(f"{os.cpu_count()} CPUs, request mix: " + ", ".join(f"{name} {weight}%" for name, weight, _ in MIX))
    failed = False
    for run in runs:
        failed |= print_run(run, args.clients)
    if len(runs) > 1:
        print()
        for run in runs[1:]:
            print(f"throughput with {run.label} / {runs[0].label}: {run.rate / runs[0].rate:.2f}x "
                  f"({run.rate:.1f} / {runs[0].rate:.1f} requests/s)")  # fmt: skip
    print("FAILED" if failed else "OK: no errors, RSS within bounds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
