"""The model backends side by side: encode throughput, load time and server cold start, torch = 1.00.

Texts: what the evaluator embeds for the project's graded answers (tests/data/graded): each
answer's segments and their question-word-demoted copies, deduplicated; an even sample of --texts. Each backend runs in
its own fresh process (so torch's threads and imports never leak into the ONNX figures), and the
backends take turns, round after round, so they see the same machine load; the median is shown.

- encode: sentences/s over all the texts, at the evaluator's batch size, after one warm-up call;
- load: process start to a ready embedder (imports + model load), and whether torch got imported;
- cold start: `evaluator serve` on a free loopback port, spawn to GET /readyz == 200, and the CPU
  seconds the server had used by then (steadier than wall time on a shared machine).

    .venv/bin/python scripts/bench_backends.py                  # 3 rounds, all backends
    .venv/bin/python scripts/bench_backends.py --rounds 1 --threads 1 2 --no-serve
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("torch", "onnx", "onnx-int8")


def worker(backend: str, threads: int | None, count: int) -> dict[str, object]:
    """Runs in a child process: load one backend, then time encode() of the texts."""
    started = time.perf_counter()
    from evaluator.embedding import make_embedder

    embedder = make_embedder(backend, threads)
    loaded = time.perf_counter() - started
    texts = evaluator_texts()
    texts = texts[:: max(1, len(texts) // count)][:count]  # an even sample of the whole set
    embedder.encode(texts[:64])
    begin = time.perf_counter()
    embedder.encode(texts)
    seconds = time.perf_counter() - begin
    return {
        "load_s": loaded,
        "sentences_per_s": len(texts) / seconds,
        "texts": len(texts),
        "torch_imported": "torch" in sys.modules,
    }


def evaluator_texts() -> list[str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from accuracy_data import load_graded

    from evaluator.lexical import demote, question_stems
    from evaluator.segment import segment_answer
    from rubric import load_bank

    bank = load_bank()
    texts: list[str] = []
    for answer in load_graded():
        drop = question_stems(bank.get(answer.question_id).text)
        segments = [s.text for s in segment_answer(answer.text)]
        texts += segments + [demote(s, drop) for s in segments]
    return list(dict.fromkeys(texts))


def run_worker(backend: str, threads: int | None, count: int) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", backend, "--texts", str(count)]
    if threads:
        command += ["--worker-threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"{backend} worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_start(backend: str, threads: int | None, limit: float = 300) -> tuple[float, float]:
    """Seconds from spawning `evaluator serve` to its first /readyz 200, and the CPU seconds the
    server used by then (less sensitive than wall time to other load on the machine)."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _env() | {"EVALUATOR_BACKEND": backend, "EVALUATOR_PORT": str(port), "EVALUATOR_LOG_LEVEL": "warning"}
    if threads:
        env["EVALUATOR_THREADS"] = str(threads)
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < limit:
            if server.poll() is not None:
                raise SystemExit(f"evaluator serve ({backend}) exited with {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return time.perf_counter() - started, _cpu_seconds(server.pid)
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        print(f"evaluator serve ({backend}) was not ready within {limit:.0f} s", file=sys.stderr)
        return float("nan"), _cpu_seconds(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("EVALUATOR_BACKEND", "EVALUATOR_THREADS")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--threads", nargs="+", type=int, default=[0], help="0: the default (all cores)")
    parser.add_argument("--texts", type=int, default=1000, help="how many of the evaluator's texts to encode")
    parser.add_argument("--no-serve", action="store_true", help="skip the server cold start")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--worker-threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.worker_threads, args.texts)))
        return 0

    from evaluator.onnx_export import ensure_onnx_model
    from evaluator.embedding import bundled_model_path

    for quantized in (False, True):  # export outside the timings
        ensure_onnx_model(bundled_model_path(), quantized)
    configs = [(b, t or None) for t in args.threads for b in args.backends]
    samples: dict[tuple[str, int | None], list[dict[str, object]]] = {c: [] for c in configs}
    for _ in range(args.rounds):
        for backend, threads in configs:
            sample = run_worker(backend, threads, args.texts)
            if not args.no_serve:
                sample["cold_start_s"], sample["cold_start_cpu_s"] = cold_start(backend, threads)
            samples[(backend, threads)].append(sample)

    base = _median(samples[configs[0]], "sentences_per_s")
    print(f"# backends, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {_cpu()}, "
          f"load average {os.getloadavg()[0]:.1f}, median of {args.rounds} rounds")
    texts = samples[configs[0]][0]["texts"]
    print(f"encode: {texts} evaluator texts (an even sample of the graded answers' segments and their "
          "demoted copies), batch 64")
    print(f"{'backend':<10} {'threads':>7} {'sentences/s':>12} {'ratio':>6} {'load s':>7} {'torch?':>6} {'cold start s':>12} {'cpu s':>6}")
    report = []
    for (backend, threads), rows in samples.items():
        rate = _median(rows, "sentences_per_s")
        cold = _median(rows, "cold_start_s") if "cold_start_s" in rows[0] else float("nan")
        cold_cpu = _median(rows, "cold_start_cpu_s") if "cold_start_s" in rows[0] else float("nan")
        line = {
            "backend": backend,
            "threads": threads or "default",
            "sentences_per_s": rate,
            "ratio_to_first": rate / base,
            "load_s": _median(rows, "load_s"),
            "torch_imported": rows[0]["torch_imported"],
            "cold_start_s": cold,
            "cold_start_cpu_s": cold_cpu,
        }
        report.append(line)
        print(f"{backend:<10} {str(line['threads']):>7} {rate:12.1f} {rate / base:6.2f} {line['load_s']:7.2f} "
              f"{'yes' if line['torch_imported'] else 'no':>6} {cold:12.2f} {cold_cpu:6.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _median(rows: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(r[key]) for r in rows)  # type: ignore[arg-type]


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{os.cpu_count()} x {line.split(':', 1)[1].strip()}"
    return f"{os.cpu_count()} x {platform.processor()}"


if __name__ == "__main__":
    sys.exit(main())
