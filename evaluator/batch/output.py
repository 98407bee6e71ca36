"""Result and error files (JSON Lines or CSV, by extension), written so that a crash loses nothing.

Rows are written a chunk at a time: the chunk's complete lines are appended to the results and
errors files, both are flushed and fsync'd, and only then is the resume state
(`OUT.state.json`, replaced atomically) moved on to record the files' new lengths and how many
input rows are done. Whatever lies beyond the recorded lengths after a crash (a half-written
line, or whole lines of a chunk that was never committed) is cut off on resume, and those rows
are scored again: every input row ends up exactly once in one of the two files. The state names
the inputs with their sizes and modification times; resuming with other inputs is refused.

In CSV output the list fields (one per verdict: `covered`, `partial`, `missed`, ...) are joined
with ";" and `points` is a JSON document in its cell; `read_records` turns both formats back into
the same dicts.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from evaluator.batch.errors import BatchError, ResumeError
from evaluator.batch.question_match import QuestionMatch
from evaluator.batch.readers import SKIPPED, InputRow, RowError
from evaluator.results import EvaluationResult, Verdict
from rubric import Question

OutputFormat = Literal["jsonl", "csv"]
OUTPUT_SUFFIXES: dict[str, OutputFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
STATE_VERSION = 1
VERDICTS: tuple[str, ...] = get_args(Verdict)  # covered, partial, missed, ...: one id list each

RESULT_FIELDS = (
    "file", "line", "id", "candidate", "session", "question_id", "question_text", "level", "topic",
    "input_question", "question_line", "match_confidence", "score", *VERDICTS,
    "answer", "points", "model", "evaluator_version",
)  # fmt: skip
ERROR_FIELDS = (
    "file", "line", "id", "candidate", "session", "kind", "reason", "question_id", "input_question",
    "match_confidence", "nearest_question_id",
)  # fmt: skip
_LIST_FIELDS = VERDICTS
_INT_FIELDS = ("line", "question_line")
_FLOAT_FIELDS = ("score", "match_confidence")


def output_format(path: str | Path) -> OutputFormat:
    """JSON Lines or CSV, from the file name; BatchError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise BatchError(
            f"{path}: output goes to a .jsonl, .ndjson or .csv file, not {suffix or 'no extension'!r}"
        )
    return OUTPUT_SUFFIXES[suffix]


def default_errors_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}.errors{output.suffix}")


def default_summary_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}.summary.json")


def state_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.name}.state.json")


# --- records ----------------------------------------------------------------------------------


def result_record(
    row: InputRow, result: EvaluationResult, question: Question, match: QuestionMatch | None
) -> dict[str, Any]:
    """One output row: where the answer came from, which question, the score and every point."""
    verdicts = {v: [p.id for p in result.points if p.verdict == v] for v in VERDICTS}
    return {
        "file": row.file,
        "line": row.line,
        "id": row.id,
        "candidate": row.candidate,
        "session": row.session,
        "question_id": result.question_id,
        "question_text": question.text,
        "level": question.level,
        "topic": question.topic,
        "input_question": row.question,
        "question_line": row.question_line,
        "match_confidence": match.confidence if match else None,
        "score": result.score,
        **verdicts,
        "answer": row.answer,
        "points": [p.model_dump(mode="json") for p in result.points],
        "model": result.model,
        "evaluator_version": result.evaluator_version,
    }


def error_record(
    item: InputRow | RowError, reason: str, kind: str, match: QuestionMatch | None = None
) -> dict[str, Any]:
    """One errors-file row: where, why, what is known of the row, and the nearest bank question."""
    is_row = isinstance(item, InputRow)
    return {
        "file": item.file,
        "line": item.line,
        "id": item.id,
        "candidate": item.candidate,
        "session": item.session,
        "kind": kind,
        "reason": reason,
        "question_id": item.question_id if is_row else None,  # as given; an unmatched text names none
        "input_question": item.question,
        "match_confidence": match.confidence if match else None,
        "nearest_question_id": match.best_id if match and match.question_id is None else None,
    }


class RecordCodec:
    """Turns records into the bytes of complete lines, and lines back into records."""

    def __init__(self, fmt: OutputFormat, fields: Sequence[str]) -> None:
        self.format = fmt
        self.fields = tuple(fields)

    def header(self) -> bytes:
        return self._csv_lines([list(self.fields)]) if self.format == "csv" else b""

    def encode(self, records: Sequence[dict[str, Any]]) -> bytes:
        if self.format == "jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            return text.encode("utf-8", "backslashreplace")
        return self._csv_lines([[_csv_cell(r.get(name)) for name in self.fields] for r in records])

    def read(self, path: str | Path) -> Iterator[dict[str, Any]]:
        """The records of a file written with this codec, streamed."""
        if self.format == "jsonl":
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield json.loads(line)
            return
        csv.field_size_limit(10_000_000)
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield _from_csv(row)

    @staticmethod
    def _csv_lines(rows: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue().encode("utf-8", "backslashreplace")


def read_records(path: str | Path, fields: Sequence[str] = RESULT_FIELDS) -> Iterator[dict[str, Any]]:
    """Stream the records of a results (or, with ERROR_FIELDS, errors) file of either format."""
    return RecordCodec(output_format(path), fields).read(path)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
    for name in _LIST_FIELDS:
        if name in record:
            record[name] = record[name].split(";") if record[name] else []
    for name in _INT_FIELDS:
        if record.get(name) is not None:
            record[name] = int(record[name])
    for name in _FLOAT_FIELDS:
        if record.get(name) is not None:
            record[name] = float(record[name])
    if record.get("points") is not None:
        record["points"] = json.loads(record["points"])
    return record


# --- the resume state -------------------------------------------------------------------------


@dataclass
class RunState:
    """What a run has committed: file lengths, rows done, and the inputs it was started with."""

    inputs: list[dict[str, Any]]
    output: str
    errors: str
    output_bytes: int = 0
    errors_bytes: int = 0
    items_done: int = 0
    scored: int = 0
    rejected: int = 0
    skipped: int = 0
    last: list[Any] | None = None
    complete: bool = False
    version: int = STATE_VERSION


def describe_inputs(inputs: Sequence[str | Path]) -> list[dict[str, Any]]:
    described = []
    for path in inputs:
        stat = os.stat(path)
        described.append({"path": os.path.abspath(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return described


def load_state(path: str | Path) -> RunState | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return RunState(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ResumeError(f"{path}: unreadable resume state ({exc}); remove it to start over") from None


def save_state(path: str | Path, state: RunState) -> None:
    """Replace the state file atomically: a crash leaves the old state or the new one, whole."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(state), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- the writer -------------------------------------------------------------------------------


class BatchOutput:
    """The results and errors files of one run, plus its resume state; commits chunk by chunk."""

    def __init__(self, output: str | Path, errors: str | Path | None, inputs: Sequence[str | Path]) -> None:
        self.output = Path(output)
        self.errors = Path(errors) if errors is not None else default_errors_path(output)
        self.state_file = state_path(output)
        self.inputs = [str(p) for p in inputs]
        self.results_codec = RecordCodec(output_format(self.output), RESULT_FIELDS)
        self.errors_codec = RecordCodec(output_format(self.errors), ERROR_FIELDS)
        self.state: RunState | None = None
        self._out = self._err = None
        inputs_abs = {os.path.abspath(p) for p in self.inputs}
        for target in (self.output, self.errors, self.state_file):
            if os.path.abspath(target) in inputs_abs:
                raise BatchError(f"{target} is also an input file: write elsewhere")
        if os.path.abspath(self.output) == os.path.abspath(self.errors):
            raise BatchError("the results and errors files must differ")

    def check(self, resume: bool) -> RunState | None:
        """The state to resume from (None for a fresh run); ResumeError if that cannot be done."""
        previous = load_state(self.state_file)
        if not resume:
            if previous is not None and not previous.complete and self.output.exists():
                raise ResumeError(
                    f"{self.output} holds an unfinished run ({previous.items_done} rows done): continue it "
                    f"with --resume, or delete {self.output} and {self.state_file} to start over"
                )
            return None
        if previous is None:
            raise ResumeError(f"nothing to resume: {self.state_file} does not exist")
        if previous.inputs != describe_inputs(self.inputs):
            raise ResumeError(
                "the inputs differ from the interrupted run's (same files, in the same order, unchanged): "
                + ", ".join(i["path"] for i in previous.inputs)
            )
        if previous.errors != str(self.errors.resolve()):
            raise ResumeError(
                f"the interrupted run wrote its errors to {previous.errors}: pass the same --errors"
            )
        for path, length in ((self.output, previous.output_bytes), (self.errors, previous.errors_bytes)):
            size = path.stat().st_size if path.exists() else -1
            if size < length:
                raise ResumeError(f"{path} is shorter than the interrupted run left it: cannot resume")
        return previous

    def open(self, resume: bool) -> RunState:
        """Start fresh (truncate both files, write headers) or resume (cut back to the last commit)."""
        previous = self.check(resume)
        for path in (self.output, self.errors):
            path.parent.mkdir(parents=True, exist_ok=True)
        if previous is None:
            state = RunState(
                inputs=describe_inputs(self.inputs),
                output=str(self.output.resolve()),
                errors=str(self.errors.resolve()),
            )
            self._out, self._err = open(self.output, "wb"), open(self.errors, "wb")
            self._out.write(self.results_codec.header())
            self._err.write(self.errors_codec.header())
            self._sync()
            state.output_bytes, state.errors_bytes = self._out.tell(), self._err.tell()
        else:
            state = previous
            self._out, self._err = open(self.output, "r+b"), open(self.errors, "r+b")
            for handle, length in ((self._out, state.output_bytes), (self._err, state.errors_bytes)):
                handle.truncate(length)  # drop a half-written line or an uncommitted chunk
                handle.seek(length)
            self._sync()
        state.complete = False
        self.state = state
        save_state(self.state_file, state)
        return state

    def commit(
        self,
        results: Sequence[dict[str, Any]],
        errors: Sequence[dict[str, Any]],
        items: int,
        last: tuple[str, int],
    ) -> None:
        """Append a chunk's lines to both files, make them durable, then record them as done."""
        assert self.state is not None and self._out is not None and self._err is not None
        self._out.write(self.results_codec.encode(results))
        self._err.write(self.errors_codec.encode(errors))
        self._sync()
        self.state.output_bytes, self.state.errors_bytes = self._out.tell(), self._err.tell()
        self.state.items_done += items
        self.state.scored += len(results)
        skipped = sum(1 for record in errors if record.get("kind") == SKIPPED)
        self.state.skipped += skipped
        self.state.rejected += len(errors) - skipped
        self.state.last = list(last)
        save_state(self.state_file, self.state)

    def finish(self) -> RunState:
        assert self.state is not None
        self.state.complete = True
        save_state(self.state_file, self.state)
        self.close()
        return self.state

    def close(self) -> None:
        for handle in (self._out, self._err):
            if handle is not None and not handle.closed:
                handle.close()

    def _sync(self) -> None:
        for handle in (self._out, self._err):
            assert handle is not None
            handle.flush()
            os.fsync(handle.fileno())

    def __enter__(self) -> BatchOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
