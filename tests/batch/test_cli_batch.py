"""`evaluator batch` as a user runs it: real subprocesses, the real model, real signals."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import INPUTS

from evaluator.batch import read_inputs, read_records
from evaluator.batch.output import ERROR_FIELDS

pytestmark = pytest.mark.model
COMMAND = [sys.executable, "-m", "cli", "batch"]


def run_cli(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def keys(path: Path, fields=None) -> Counter:
    records = read_records(path, fields) if fields else read_records(path)
    return Counter((r["file"], r["line"]) for r in records)


def test_every_format_in_one_run_exits_1_and_writes_results_errors_summary_and_report(tmp_path: Path):
    out, report = tmp_path / "results.jsonl", tmp_path / "report.html"
    proc = run_cli(*INPUTS, "-o", out, "--report", report)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "\r" not in proc.stderr and "row/s" not in proc.stderr  # no progress bar when not on a TTY
    final = proc.stderr.strip().splitlines()[-1]
    assert re.match(
        r"scored \d+ answers, skipped 4 turns, rejected 8 rows \([\d.]+ rows/s\)\. Summary: .*results\.summary\.json",
        final,
    )
    errors = tmp_path / "results.errors.jsonl"
    assert str(errors) in final and str(report) in final
    every_row = Counter((item.file, item.line) for item in read_inputs(map(str, INPUTS)))
    assert keys(out) + keys(errors, ERROR_FIELDS) == every_row
    summary = json.loads((tmp_path / "results.summary.json").read_text())
    assert (summary["overall"]["rejected"], summary["overall"]["skipped"]) == (8, 4)
    assert summary["overall"]["answers"] == sum(keys(out).values())
    assert "Ana Lopez" in report.read_text()


def test_clean_input_exits_0_and_writes_csv_quietly(tmp_path: Path):
    source = tmp_path / "answers.jsonl"
    rows = [
        {
            "id": "a",
            "question_id": "fresher-06",
            "answer": "An epoch is one full pass over the training set.",
        },
        {"id": "b", "question": "Can you explain dropout?", "answer": "Dropout switches off random neurons."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "scores.csv"
    proc = run_cli(source, "-o", out, "--quiet", "--batch-size", "1")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    records = list(read_records(out))
    assert [(r["id"], r["line"], r["question_id"]) for r in records] == [
        ("a", 1, "fresher-06"),
        ("b", 2, "fresher-10"),
    ]
    assert records[1]["match_confidence"] >= 0.65 and records[0]["match_confidence"] is None
    assert list(read_records(tmp_path / "scores.errors.csv", ERROR_FIELDS)) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl", "-o", "out.jsonl"], "missing.jsonl: no such file"),
        (["answers.xlsx", "-o", "out.jsonl"], "unknown input kind '.xlsx'"),
        (["good.jsonl", "-o", "out.txt"], "output goes to a .jsonl, .ndjson or .csv file"),
        (["good.jsonl", "-o", "out.jsonl", "--errors", "e.xml"], "e.xml: output goes to a .jsonl"),
        (["bad.csv", "-o", "out.jsonl"], "the header has no 'answer' column"),
        (["good.jsonl", "-o", "out.jsonl", "--batch-size", "0"], "--batch-size must be at least 1"),
        (["good.jsonl", "-o", "out.jsonl", "--match-threshold", "1.5"], "--match-threshold must be"),
        (["good.jsonl", "-o", "out.jsonl", "--resume"], "nothing to resume"),
        (["good.jsonl", "-o", "good.jsonl"], "is also an input file"),
        (["good.jsonl", "-o", "out.jsonl", "--report", "good.jsonl"], "good.jsonl is also an input file"),
    ],
)
def test_unusable_arguments_exit_2_with_one_line_and_write_nothing(tmp_path: Path, args, message):
    (tmp_path / "good.jsonl").write_text('{"question_id": "fresher-01", "answer": "Deep nets."}\n')
    (tmp_path / "bad.csv").write_text("question_id,text\nfresher-01,hello\n")
    (tmp_path / "answers.xlsx").write_bytes(b"PK")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("evaluator: error: ") and message in lines[0], proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def make_inputs(folder: Path, rows: int) -> list[Path]:
    topics = [
        ("fresher-10", "Dropout switches off random neurons during training."),
        ("fresher-06", "An epoch is one full pass over the training data."),
        ("fresher-04", "Gradient descent moves the weights against the gradient of the loss."),
        ("intermediate-05", "Transfer learning reuses a model pre-trained on a large dataset."),
    ]
    lines = []
    for i in range(rows):
        if i % 25 == 7:
            lines.append('{"question_id": "fresher-10", "answer": "unterminated\n')
            continue
        qid, answer = topics[i % len(topics)]
        lines.append(
            json.dumps(
                {"id": f"r{i}", "candidate": f"c{i % 3}", "question_id": qid, "answer": f"{answer} ({i})"}
            )
            + "\n"
        )
    answers = folder / "answers.jsonl"
    answers.write_text("".join(lines))
    return [answers, INPUTS[0]]


def wait_for_progress(out: Path, process: subprocess.Popen, done: int, timeout: float = 600) -> None:
    state = out.with_name(out.name + ".state.json")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be interrupted"
        try:
            if json.loads(state.read_text())["items_done"] >= done:
                return
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError("no progress")


def _ctrl_c_on() -> None:
    """Ctrl+C as on a terminal: a shell without job control starts background jobs (CI's, say)
    with SIGINT ignored, and a Python started so never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_killed_and_interrupted_runs_resume_to_exactly_one_result_per_row(tmp_path: Path):
    # Enough rows that neither run can finish between the progress seen and the signal sent.
    inputs = make_inputs(tmp_path, rows=240)
    out, errors = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    args = [*COMMAND, *map(str, inputs), "-o", str(out), "--batch-size", "8"]

    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_progress(out, first, done=16)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    with open(out, "ab") as handle:  # as if the kill had landed in the middle of a line
        handle.write(b'{"file": "half-written", "li')

    again = run_cli(*inputs, "-o", out, "--batch-size", "8")
    assert again.returncode == 2 and "unfinished run" in again.stderr and "--resume" in again.stderr

    second = subprocess.Popen(
        [*args, "--resume"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_on
    )
    state = json.loads((tmp_path / "out.jsonl.state.json").read_text())
    wait_for_progress(out, second, done=state["items_done"] + 16)
    second.send_signal(signal.SIGINT)
    _, stderr = second.communicate(timeout=120)
    assert second.returncode == 130, stderr
    assert "add --resume to continue" in stderr and "Traceback" not in stderr

    last = run_cli(*inputs, "-o", out, "--batch-size", "8", "--resume")
    assert last.returncode == 1, last.stderr  # the malformed rows are rejected
    assert "rows were done before resuming" in last.stderr
    every_row = Counter((item.file, item.line) for item in read_inputs(map(str, inputs)))
    assert keys(out) + keys(errors, ERROR_FIELDS) == every_row  # each row once: none lost, none twice
    assert all(line.endswith("}") for line in out.read_text().splitlines())
    summary = json.loads((tmp_path / "out.summary.json").read_text())
    overall = summary["overall"]
    assert overall["answers"] + overall["rejected"] + overall["skipped"] == sum(every_row.values())


def test_a_terminal_gets_a_progress_bar_with_rate_and_eta(tmp_path: Path):
    source = tmp_path / "answers.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {"question_id": "fresher-06", "answer": f"An epoch is one pass over the data, number {i}."}
            )
            + "\n"
            for i in range(6)
        )
    )
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # 30 rows, 120 columns
    process = subprocess.Popen(
        [*COMMAND, str(source), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    process.wait(timeout=600)
    os.close(leader)
    text = screen.decode(errors="replace")
    assert process.returncode == 0, text
    assert re.search(r"scoring: +100%.*6/6 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+(row/s|s/row)\]", text), text
    assert re.search(r"2/6 \[\d\d:\d\d<\d\d:\d\d", text), text  # a rate and an ETA while running
