"""Benchmark batch scoring against the raw model encoding the same segments, in the same run.

For each N (default 1,000 and 20,000) a fresh child process, so that peak RSS is its own:
generates N answers (2-5 on-topic sentences drawn from the bank's reference answers, shuffled)
into a JSON Lines file and scores them with `run_batch` (the code behind `evaluator batch`),
recording every text the evaluator sends to the model. After each chunk is committed, the bare
SentenceTransformer encodes that chunk's texts again in the same calls, timed apart (and left out
of the batch time), so both measurements run interleaved under the same machine load. Neither
side has a cross-call cache, so batch / raw is the share of the pipeline's time that is spent in
the model (target >= 0.85). Peak RSS is shown after loading the model and after the
batch, to show that memory stays flat as N grows.

    .venv/bin/python scripts/bench_batch.py               # N = 1,000 and 20,000
    .venv/bin/python scripts/bench_batch.py --n 1000 --batch-size 256
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from evaluator.batch import DEFAULT_BATCH_SIZE  # noqa: E402
from evaluator.embedding import Embedder  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1_000, 20_000], help="answers per run")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.n[0], args.batch_size, args.seed)))
        return 0
    print(
        f"batch size {args.batch_size}; each N in a fresh process; raw = the bare model on the same segments"
    )
    header = (
        f"{'N':>7} {'segments':>9} {'batch ans/s':>11} {'raw ans/s':>10} {'ratio':>6} "
        f"{'batch s':>8} {'raw s':>7} {'RSS model MB':>12} {'RSS peak MB':>11}"
    )
    print(header)
    print("-" * len(header))
    for n in args.n:
        command = [sys.executable, __file__, "--child", "--n", str(n), "--batch-size", str(args.batch_size),
                   "--seed", str(args.seed)]  # fmt: skip
        child = subprocess.run(command, capture_output=True, text=True, check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{r['n']:>7,} {r['segments']:>9,} {r['batch_rate']:>11.1f} {r['raw_rate']:>10.1f} "
            f"{r['batch_rate'] / r['raw_rate']:>6.2f} {r['batch_seconds']:>8.1f} {r['raw_seconds']:>7.1f} "
            f"{r['rss_model_mb']:>12.0f} {r['rss_peak_mb']:>11.0f}",
            flush=True,
        )
    return 0


def generate(path: Path, n: int, seed: int) -> None:
    from evaluator.segment import split_sentences
    from rubric import load_bank

    bank = load_bank()
    rng = random.Random(seed)
    pools = {qid: [s.text for s in split_sentences(q.reference_answer or q.text)] for qid, q in bank.items()}
    ids = sorted(pools)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            qid = rng.choice(ids)
            sentences = rng.sample(pools[qid], k=min(len(pools[qid]), rng.randint(2, 5)))
            row = {"id": f"a{i}", "candidate": f"c{i % 50}", "session": f"s{i % 7}", "question_id": qid,
                   "answer": " ".join(sentences)}  # fmt: skip
            handle.write(json.dumps(row) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class RecordingEmbedder:
    """Passes texts to the model and, while `on`, keeps each call's texts until they are replayed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.on = inner, inner.name, False
        self.pending: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.on:
            self.pending.append(list(texts))
        return self.inner.encode(texts)


class RawReplay:
    """After each committed chunk, the bare model encodes that chunk's texts again, timed apart.

    Interleaving the two measurements chunk by chunk keeps them under the same machine load.
    """

    def __init__(self, recorder: RecordingEmbedder) -> None:
        self.recorder = recorder
        self.seconds = 0.0
        self.texts = 0

    def __call__(self, rows: int) -> None:
        calls, self.recorder.pending = self.recorder.pending, []
        for texts in calls:
            started = time.perf_counter()
            self.recorder.inner.encode(texts)
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)


def measure(n: int, batch_size: int, seed: int) -> dict[str, float]:
    from evaluator import Evaluator, SentenceTransformerEmbedder
    from evaluator.batch import run_batch

    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp) / "answers.jsonl", Path(tmp) / "results.jsonl"
        generate(source, n, seed)
        recorder = RecordingEmbedder(SentenceTransformerEmbedder())
        evaluator = Evaluator(embedder=recorder, cache_size=0)  # no cache: both sides encode the same texts
        evaluator.warm_up()
        recorder.inner.encode(["warm up the model"] * 64)
        rss_model = peak_rss_mb()

        recorder.on = True
        raw = RawReplay(recorder)
        started = time.perf_counter()
        stats = run_batch([source], output, evaluator=evaluator, batch_size=batch_size, on_progress=raw)
        batch_seconds = time.perf_counter() - started - raw.seconds
        rss_peak = peak_rss_mb()
        assert stats.scored == n and stats.rejected == 0, stats
    return {
        "n": n,
        "segments": raw.texts,
        "batch_seconds": batch_seconds,
        "raw_seconds": raw.seconds,
        "batch_rate": n / batch_seconds,
        "raw_rate": n / raw.seconds,
        "rss_model_mb": rss_model,
        "rss_peak_mb": rss_peak,
    }


if __name__ == "__main__":
    sys.exit(main())
