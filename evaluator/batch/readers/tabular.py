"""JSON Lines and CSV: one answer per row, with `answer` and `question_id` or `question`.

JSON Lines: one JSON object per line; blank lines are skipped. CSV: UTF-8 (a BOM is allowed),
RFC 4180 quoting (an answer may span lines) and a header row naming the same fields (case and
surrounding spaces ignored). Fields: `answer`, `question_id` or `question` (matched to the bank
by meaning; `question_id` wins when both are given), optional `candidate`, `session` and `id`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from evaluator.batch.errors import InputFileError
from evaluator.batch.readers.rows import InputRow, Item, RowError

OPTIONAL_FIELDS = ("candidate", "session", "id")
CSV_FIELD_LIMIT = 1_000_000


def read_jsonl(path: str | Path) -> Iterator[Item]:
    name = str(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield RowError(name, number, f"not UTF-8 text (invalid byte at column {exc.start + 1})")
                continue
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RowError(name, number, f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(data, dict):
                yield RowError(name, number, f"expected a JSON object, got {_json_type(data)}")
                continue
            yield _row_from_fields(name, number, data)


# --- CSV --------------------------------------------------------------------------------------


def read_csv(path: str | Path) -> Iterator[Item]:
    name = str(path)
    with open_text(Path(path)) as handle:
        reader = csv.reader(handle, strict=True)
        header = csv_header(reader, name)
        last_line = reader.line_num
        while True:
            start = last_line + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                last_line = reader.line_num
                yield RowError(name, start, f"malformed CSV: {exc}")
                continue
            last_line = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != len(header):
                yield RowError(name, start, f"has {len(record)} fields; the header has {len(header)}")
                continue
            if any(_has_undecodable(value) for value in record):
                yield RowError(name, start, "not UTF-8 text (invalid bytes in the row)")
                continue
            data = {
                key: value
                for key, value in zip(header, record, strict=True)
                if value.strip() or key == "answer"
            }
            yield _row_from_fields(name, start, data)


def csv_header(reader: Iterator[list[str]], name: str) -> list[str]:
    try:
        header = [field.strip().lower() for field in next(reader)]
    except StopIteration:
        raise InputFileError(f"{name}: empty CSV file, expected a header row") from None
    except csv.Error as exc:
        raise InputFileError(f"{name}: line 1: malformed CSV header: {exc}") from None
    duplicates = sorted({f for f in header if header.count(f) > 1})
    if duplicates:
        raise InputFileError(f"{name}: the header repeats {', '.join(duplicates)}")
    if "answer" not in header:
        raise InputFileError(f"{name}: the header has no 'answer' column (it has {', '.join(header)})")
    if "question_id" not in header and "question" not in header:
        raise InputFileError(f"{name}: the header needs a 'question_id' or a 'question' column")
    return header


def open_text(path: Path) -> TextIO:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def _has_undecodable(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


# --- fields shared by JSON Lines and CSV ------------------------------------------------------


def _row_from_fields(name: str, line: int, data: dict[str, object]) -> Item:
    meta: dict[str, str | None] = {}
    for field in OPTIONAL_FIELDS:
        value = data.get(field)
        if value is None or isinstance(value, str):
            meta[field] = value.strip() if isinstance(value, str) and value.strip() else None
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            meta[field] = str(value)
        else:
            return RowError(name, line, f"field {field!r} must be text or a number, not {_json_type(value)}")
    error = _field_problem(data)
    if error:
        return RowError(name, line, error, **meta)
    question_id = data.get("question_id")
    question = None if question_id else data.get("question")
    return InputRow(
        file=name,
        line=line,
        answer=str(data["answer"]),
        question_id=question_id.strip() if isinstance(question_id, str) else None,
        question=question.strip() if isinstance(question, str) else None,
        **meta,
    )


def _field_problem(data: dict[str, object]) -> str | None:
    if "answer" not in data or data["answer"] is None:
        return "no 'answer' field"
    if not isinstance(data["answer"], str):
        return f"field 'answer' must be text, not {_json_type(data['answer'])}"
    for field in ("question_id", "question"):
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            return f"field {field!r} must be text, not {_json_type(value)}"
    if not any(isinstance(v, str) and v.strip() for v in (data.get("question_id"), data.get("question"))):
        return "no 'question_id' or 'question' field"
    return None


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), "a string")
