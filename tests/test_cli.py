"""The `evaluator` command as a user runs it: a real subprocess, the real model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "cli", *args], input=stdin, capture_output=True, timeout=300
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def test_questions_lists_and_filters():
    everything = run_cli("questions")
    assert everything.returncode == 0
    assert len(everything.stdout.splitlines()) == 45
    advanced = run_cli("questions", "--level", "advanced", "--json")
    rows = [json.loads(line) for line in advanced.stdout.splitlines()]
    assert len(rows) == 15 and {r["level"] for r in rows} == {"advanced"}


def test_score_prints_a_table_with_verdicts_and_evidence():
    answer = "Dropout switches off random neurons while training so the network cannot rely on any one of them."
    proc = run_cli("score", "--question", "fresher-10", "--answer", answer)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("fresher-10: coverage ")
    assert "covered" in proc.stdout
    assert '> "Dropout switches off random neurons' in proc.stdout


def test_score_table_lines_up_a_contradicted_point_and_lists_it():
    answer = "A VAE maps every input to a single fixed point in the latent space, with no randomness, like a plain autoencoder."
    proc = run_cli("score", "--question", "advanced-13", "--answer", answer)
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("contradicted"))
    header = next(line for line in proc.stdout.splitlines() if line.startswith("verdict"))
    assert row.index("0.00") + 4 == header.index("score") + 5  # the score column lines up
    assert proc.stdout.rstrip().endswith("Contradicted: vae-latent")
    assert "! a common misconception: " in proc.stdout


def test_score_json_from_stdin_and_from_a_file(tmp_path: Path):
    answer = "An epoch is one full pass over the whole training set."
    from_stdin = run_cli("score", "-q", "fresher-06", "--json", stdin=answer.encode())
    file = tmp_path / "answer.txt"
    file.write_text(answer)
    from_file = run_cli("score", "-q", "fresher-06", "--json", "--file", str(file))
    assert from_stdin.returncode == from_file.returncode == 0
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)
    assert json.loads(from_file.stdout)["question_id"] == "fresher-06"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("score", "-q", "fresher-99", "--answer", "x"), None, "unknown question id 'fresher-99'"),
        (("score", "-q", "fresher-01", "--answer", "   "), None, "the answer is empty"),
        (("score", "-q", "fresher-01"), b"\xff\xfe\xfa binary", "not UTF-8"),
        (("score", "-q", "fresher-01", "--answer", "x" * 10_001), None, "limit is 10,000"),
        (("score", "-q", "fresher-01", "--file", "/nonexistent/answer.txt"), None, "cannot read"),
        (("questions", "--bank", "/nonexistent"), None, "not a folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, stdin, message):
    proc = run_cli(*args, stdin=stdin if stdin is not None else b"")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_broken_bank_file_names_the_file(tmp_path: Path):
    (tmp_path / "q.yaml").write_text("id: q\ntext: What?\nkey_points:\n  - {id: a, text: ok claim, weight: zero}\n")
    proc = run_cli("questions", "--bank", str(tmp_path))
    assert proc.returncode == 2
    assert "q.yaml" in proc.stderr and "key_points.0.weight" in proc.stderr


@pytest.mark.parametrize(
    "args", [("questions", "--topic", "transformer"), ("questions", "--topic", "x", "--json")]
)
def test_an_unknown_topic_is_one_line_listing_the_topics(args):
    from rubric import load_bank

    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"evaluator: error: unknown topic {args[2]!r}: "), lines[0]
    assert all(topic in lines[0] for topic in load_bank().topics)


def test_an_unknown_question_tells_the_cli_user_how_to_list_them():
    proc = run_cli("score", "-q", "fresher-99", "--answer", "x")
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("`evaluator questions` lists them")
