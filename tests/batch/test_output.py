"""Output files: both formats round-trip, commits are durable, and resume cuts back to the last commit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from evaluator.batch import BatchOutput, ResumeError, read_records, state_path
from evaluator.batch.output import ERROR_FIELDS, RESULT_FIELDS, RecordCodec, load_state

RECORD = {
    "file": "in.jsonl",
    "line": 3,
    "id": "r-1",
    "candidate": 'Ana "the ace", López',
    "session": None,
    "question_id": "fresher-10",
    "question_text": "What is dropout?",
    "level": "fresher",
    "topic": "regularization",
    "input_question": None,
    "question_line": None,
    "match_confidence": 0.8123,
    "score": 0.5,
    "covered": ["a", "b"],
    "partial": [],
    "missed": ["c"],
    "contradicted": [],
    "not_asked": [],
    "answer": 'Line one,\nline "two" <b>;</b>',
    "points": [{"id": "a", "verdict": "covered", "evidence": {"text": "Line one", "start": 0, "end": 8}}],
    "model": "m",
    "evaluator_version": "0",
}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_records_round_trip_in_both_formats(tmp_path: Path, suffix: str):
    path = tmp_path / f"out{suffix}"
    codec = RecordCodec("csv" if suffix == ".csv" else "jsonl", RESULT_FIELDS)
    path.write_bytes(codec.header() + codec.encode([RECORD, {**RECORD, "line": 4, "covered": []}]))
    records = list(read_records(path))
    expected = {name: RECORD.get(name) for name in RESULT_FIELDS}
    assert records[0] == expected
    assert records[1]["line"] == 4 and records[1]["covered"] == []


def inputs(tmp_path: Path) -> list[Path]:
    file = tmp_path / "in.jsonl"
    file.write_text("\n".join(json.dumps({"question_id": "q", "answer": f"a{i}"}) for i in range(10)) + "\n")
    return [file]


def error(line: int) -> dict:
    return {"file": "in.jsonl", "line": line, "kind": "malformed", "reason": "bad"}


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_resume_cuts_a_half_written_line_and_an_uncommitted_chunk(tmp_path: Path):
    files, out = inputs(tmp_path), tmp_path / "out.jsonl"
    writer = BatchOutput(out, None, files)
    writer.open(resume=False)
    writer.commit([{**RECORD, "line": 1}, {**RECORD, "line": 2}], [error(3)], 3, ("in.jsonl", 3))
    writer.close()  # the process dies here ...
    with open(out, "ab") as handle:  # ... after writing a next chunk that was never committed
        handle.write(json.dumps({**RECORD, "line": 4}).encode() + b"\n" + b'{"file": "in.jsonl", "li')
    with open(tmp_path / "out.errors.jsonl", "ab") as handle:
        handle.write(b'{"file": "in.jsonl", "line": 5, "kind"')

    resumed = BatchOutput(out, None, files)
    state = resumed.open(resume=True)
    assert (state.items_done, state.scored, state.rejected, state.last) == (3, 2, 1, ["in.jsonl", 3])
    assert [r["line"] for r in lines_of(out)] == [1, 2]
    assert [r["line"] for r in lines_of(tmp_path / "out.errors.jsonl")] == [3]
    resumed.commit([{**RECORD, "line": 4}], [], 1, ("in.jsonl", 4))
    resumed.finish()
    assert [r["line"] for r in lines_of(out)] == [1, 2, 4]
    assert load_state(state_path(out)).complete


def test_the_state_is_replaced_atomically_and_names_the_inputs(tmp_path: Path):
    files, out = inputs(tmp_path), tmp_path / "out.csv"
    writer = BatchOutput(out, tmp_path / "rejected.csv", files)
    writer.open(resume=False)
    state = json.loads(state_path(out).read_text())
    assert state["inputs"][0]["path"] == os.path.abspath(files[0])
    assert state["output_bytes"] == len(out.read_bytes()) > 0  # the CSV header is committed
    assert not list(tmp_path.glob("*.tmp"))
    writer.close()


def test_resume_refuses_what_it_cannot_honour(tmp_path: Path):
    files, out = inputs(tmp_path), tmp_path / "out.jsonl"
    with pytest.raises(ResumeError, match="nothing to resume"):
        BatchOutput(out, None, files).check(resume=True)
    writer = BatchOutput(out, None, files)
    writer.open(resume=False)
    writer.commit([RECORD], [], 1, ("in.jsonl", 1))
    writer.close()
    with pytest.raises(ResumeError, match="unfinished run .1 rows done.: continue it with --resume"):
        BatchOutput(out, None, files).check(resume=False)
    with pytest.raises(ResumeError, match="pass the same --errors"):
        BatchOutput(out, tmp_path / "other.jsonl", files).check(resume=True)
    with open(files[0], "a") as handle:
        handle.write('{"question_id": "q", "answer": "one more"}\n')
    with pytest.raises(ResumeError, match="the inputs differ"):
        BatchOutput(out, None, files).check(resume=True)


def test_a_finished_run_may_be_overwritten_and_outputs_may_not_overwrite_inputs(tmp_path: Path):
    files, out = inputs(tmp_path), tmp_path / "out.jsonl"
    writer = BatchOutput(out, None, files)
    writer.open(resume=False)
    writer.finish()
    assert BatchOutput(out, None, files).check(resume=False) is None
    from evaluator.batch import BatchError

    with pytest.raises(BatchError, match="is also an input file"):
        BatchOutput(tmp_path / "x.jsonl", files[0], files)
    with pytest.raises(BatchError, match="output goes to a .jsonl, .ndjson or .csv file"):
        BatchOutput(tmp_path / "out.txt", None, files)


def test_error_fields_are_one_shape(tmp_path: Path):
    path = tmp_path / "e.csv"
    codec = RecordCodec("csv", ERROR_FIELDS)
    path.write_bytes(codec.header() + codec.encode([error(7)]))
    [back] = read_records(path, ERROR_FIELDS)
    assert back == {name: error(7).get(name) for name in ERROR_FIELDS}
