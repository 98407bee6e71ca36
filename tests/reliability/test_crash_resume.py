"""Crash and resume: `evaluator batch` killed with SIGKILL at several points, each time resumed, ends with
exactly one line per input row and no half-written line.

tests/batch/test_cli_batch.py covers one SIGKILL after a commit plus a SIGINT, into JSON Lines. This adds
CSV output (multi-line quoted answers from transcripts, where a torn row is hardest to spot), a kill before
the first commit, a kill at a moment not tied to any commit, and a torn quoted row left at the end.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import ROOT

from evaluator.batch import read_inputs, read_records
from evaluator.batch.output import ERROR_FIELDS, RESULT_FIELDS

pytestmark = pytest.mark.model

DATA = ROOT / "tests" / "batch" / "data"
COMMAND = [sys.executable, "-m", "cli", "batch", "--batch-size", "4"]
ANSWERS = [
    ("fresher-10", "Dropout switches off random neurons during training.\nIt is turned off at test time."),
    ("fresher-06", "An epoch is one full pass over the training data."),
    ("fresher-04", 'Gradient descent moves the weights "against" the gradient, step by step.'),
    ("intermediate-05", "Transfer learning reuses a model pre-trained on a large dataset, then fine-tunes it."),
]


def make_inputs(folder: Path, rows: int = 80) -> list[Path]:
    lines = []
    for i in range(rows):
        if i % 19 == 5:
            lines.append('{"question_id": "fresher-10", "answer": "cut off\n')  # a malformed row
            continue
        question_id, answer = ANSWERS[i % len(ANSWERS)]
        lines.append(json.dumps({"id": f"r{i}", "question_id": question_id, "answer": f"{answer} ({i})"}) + "\n")
    answers = folder / "answers.jsonl"
    answers.write_text("".join(lines))
    return [DATA / "mock_interview_ana.md", answers, DATA / "mock_interview_ben.txt"]


def state(out: Path) -> dict | None:
    try:
        return json.loads(out.with_name(out.name + ".state.json").read_text())
    except (FileNotFoundError, ValueError):
        return None


def kill_when(process: subprocess.Popen, out: Path, ready, extra_delay: float = 0.0) -> None:
    """SIGKILL the run once `ready(state)` holds (and `extra_delay` seconds more)."""
    deadline = time.monotonic() + 600
    while not ready(state(out)):
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.005)
    time.sleep(extra_delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def committed_prefix_is_whole(out: Path, errors: Path) -> None:
    """What the state records as committed parses as whole CSV records of the right width."""
    recorded = state(out)
    for path, length, fields in (
        (out, recorded["output_bytes"], RESULT_FIELDS),
        (errors, recorded["errors_bytes"], ERROR_FIELDS),
    ):
        text = path.read_bytes()[:length].decode("utf-8")
        rows = list(csv.reader(text.splitlines(keepends=True), strict=True))
        assert rows[0] == list(fields) and all(len(row) == len(fields) for row in rows)


def test_sigkill_at_several_points_then_resume_gives_each_row_exactly_once(tmp_path, capsys):
    inputs = make_inputs(tmp_path)
    out, errors = tmp_path / "out.csv", tmp_path / "out.errors.csv"
    args = [*COMMAND, *map(str, inputs), "-o", str(out), "--quiet"]
    every_row = Counter((item.file, item.line) for item in read_inputs(map(str, inputs)))
    kills = [
        ("before the first commit", lambda s: s is not None, 0.0),
        ("right after a commit", lambda s: s is not None and s["items_done"] >= 12, 0.0),
        ("at a moment tied to no commit", lambda s: s is not None and s["items_done"] >= 24, 0.137),
    ]
    done_at_kill = []
    for number, (_, ready, delay) in enumerate(kills):
        process = subprocess.Popen(args + (["--resume"] if number else []), stderr=subprocess.PIPE)
        kill_when(process, out, ready, delay)
        assert process.returncode == -signal.SIGKILL
        done_at_kill.append(state(out)["items_done"])
        committed_prefix_is_whole(out, errors)
    with open(out, "ab") as handle:  # as if a kill had landed mid-row, inside a quoted multi-line answer
        handle.write(b'mock_interview_ana.md,15,,Ana,s,fresher-10,"What is dropout?\nDropout swit')

    final = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=900)
    assert final.returncode == 1, final.stderr  # 1: some rows were rejected, as the inputs mean
    assert done_at_kill == sorted(done_at_kill) and done_at_kill[-1] < sum(every_row.values())
    results = Counter((r["file"], r["line"]) for r in read_records(out))
    rejected = Counter((r["file"], r["line"]) for r in read_records(errors, ERROR_FIELDS))
    assert results + rejected == every_row  # none lost, none twice
    assert not set(results) & set(rejected)
    assert state(out)["complete"] and state(out)["items_done"] == sum(every_row.values())
    committed_prefix_is_whole(out, errors)
    assert out.stat().st_size == state(out)["output_bytes"]  # nothing after the last whole row
    assert any("\n" in r["answer"] for r in read_records(out))  # multi-line answers went through CSV
    with capsys.disabled():
        print(f"\ncrash-resume: {sum(every_row.values())} rows; rows committed at each SIGKILL: {done_at_kill}")
