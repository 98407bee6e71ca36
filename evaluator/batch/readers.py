"""Input files -> a stream of answers to score (`InputRow`) or of rejected rows (`RowError`).

Every item carries its file and 1-based line number. Files are read lazily, one row or turn at a
time, so memory does not grow with the file. The format follows the file name:

JSON Lines (`.jsonl`, `.ndjson`)
    One JSON object per line; blank lines are skipped. Fields: `answer` (text) and `question_id`
    or `question` (the question's text, matched to the bank by meaning; `question_id` wins when
    both are given), optional `candidate`, `session` and `id` (text or number). Other fields are
    ignored.

CSV (`.csv`)
    UTF-8 (a BOM is allowed), comma-separated, RFC 4180 quoting, so an answer may span lines.
    A header row names the same fields as above (case and surrounding spaces ignored); `answer`
    and one of `question_id` / `question` are required. An empty optional cell counts as absent.

Transcripts (`.txt`, `.md`, `.markdown`)
    One mock interview per file. A turn starts on a line that begins with a speaker label and
    runs until the next label; the label's line number is the turn's line number.
    Question labels: `Interviewer`, `Question`, `Q`; answer labels: `Candidate`, `Interviewee`,
    `Answer`, `A` (any case, optionally numbered: `Q1:`, `Question 2:`). Accepted forms::

        Interviewer: What is dropout?          Q: What is dropout?        Q1: What is dropout?
        Candidate: Dropout switches off...     A: Dropout switches...     A1: Dropout...

        **Interviewer:** What is dropout?      **Q**: What is dropout?    - Q: What is dropout?
        **Candidate:** Dropout switches...     __A:__ Dropout...          > A: Dropout...

        ## Q1: What is dropout?                ### Question 3
        ## Answer                              What is dropout?
        Dropout switches off ...               ### Answer
                                               Dropout switches off ...

    Outside a Markdown heading the colon is required (inside or outside the bold markers), so
    prose such as "A neural network..." is never taken for a label. Text after the label and the
    lines that follow (blank lines included) form the turn. Consecutive answer turns are joined.
    Lines before the first label, Markdown headings that are not labels (section titles) and
    thematic breaks (`---`) belong to no turn. Optional YAML front matter (between `---` lines at
    the very top) may set `candidate` and `session`; the session defaults to the file's stem.
    Each question turn followed by an answer turn is one row, whose question text is matched to
    the bank by meaning. A question turn with no answer, or an answer turn with no question
    before it, is a `RowError` (an interviewer turn with no answer and no "?" in it, such as a
    closing "Thanks, that's all from me.", is a remark and is skipped); so is small talk whose
    "question" matches no bank question.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

import yaml

from evaluator.batch.errors import InputFileError

Format = Literal["jsonl", "csv", "transcript"]

SUFFIX_FORMATS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".txt": "transcript",
    ".md": "transcript",
    ".markdown": "transcript",
}
OPTIONAL_FIELDS = ("candidate", "session", "id")
CSV_FIELD_LIMIT = 1_000_000
MAX_FRONT_MATTER_LINES = 50


@dataclass(frozen=True, slots=True)
class InputRow:
    """One answer to score, with where it came from and how its question is given."""

    file: str
    line: int
    answer: str
    question_id: str | None = None
    question: str | None = None
    candidate: str | None = None
    session: str | None = None
    id: str | None = None
    question_line: int | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A row or turn that cannot be scored, and why; written to the errors file."""

    file: str
    line: int
    reason: str
    kind: str = "malformed"
    candidate: str | None = None
    session: str | None = None
    id: str | None = None


Item = InputRow | RowError


def input_format(path: str | Path) -> Format:
    """The format a file is read as, from its extension; InputFileError for an unknown one."""
    suffix = Path(path).suffix.lower()
    try:
        return SUFFIX_FORMATS[suffix]
    except KeyError:
        known = ", ".join(SUFFIX_FORMATS)
        raise InputFileError(
            f"{path}: unknown input kind {suffix or '(no extension)'!r}; use {known}"
        ) from None


def check_input(path: str | Path) -> Format:
    """Fail fast, before any model loads, on a file that cannot be read at all."""
    fmt = input_format(path)
    file = Path(path)
    if not file.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        with file.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    if fmt == "csv":
        with _open_text(file) as handle:
            _csv_header(csv.reader(handle), str(path))
    return fmt


def read_file(path: str | Path) -> Iterator[Item]:
    """The rows of one input file, in file order."""
    readers = {"jsonl": read_jsonl, "csv": read_csv, "transcript": read_transcript}
    return readers[input_format(path)](path)


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Item]:
    """The rows of every file, file after file."""
    for path in paths:
        yield from read_file(path)


def count_items(paths: Iterable[str | Path]) -> int:
    """How many rows (scorable or not) the files hold: a quick first pass for a progress bar."""
    return sum(1 for _ in read_inputs(paths))


# --- JSON Lines -------------------------------------------------------------------------------


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
    with _open_text(Path(path)) as handle:
        reader = csv.reader(handle, strict=True)
        header = _csv_header(reader, name)
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


def _csv_header(reader: Iterator[list[str]], name: str) -> list[str]:
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


def _open_text(path: Path) -> TextIO:
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


# --- transcripts ------------------------------------------------------------------------------

_QUESTION_LABELS = {"interviewer", "question", "q"}
_TURN = re.compile(
    r"""^[ \t]*(?:(?P<heading>\#{1,6})[ \t]+|>[ \t]*|[-+*][ \t]+)?
    (?P<emph>\*\*|__|\*|_)?
    (?P<label>interviewer|interviewee|candidate|question|answer|q|a)
    (?:[ \t]*\#?\d{1,4})?
    (?P<inner>[ \t]*:)?
    (?(emph)(?P=emph))
    (?P<outer>[ \t]*:)?
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADING = re.compile(r"^[ \t]*\#{1,6}([ \t]|$)")
_THEMATIC_BREAK = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")


@dataclass(slots=True)
class _Turn:
    role: Literal["question", "answer"]
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def parse_turn_label(line: str) -> tuple[Literal["question", "answer"], str] | None:
    """(role, rest of the line) when the line starts a turn, else None."""
    match = _TURN.match(line)
    if not match:
        return None
    has_colon = bool(match["inner"] or match["outer"])
    rest = match["rest"]
    if not has_colon:
        # Only a Markdown heading may omit the colon, and then it is the label alone.
        if not match["heading"] or rest.strip().strip("*_").strip():
            return None
        rest = ""
    if match["heading"]:
        rest = rest.rstrip().rstrip("#").rstrip()
    role: Literal["question", "answer"] = (
        "question" if match["label"].lower() in _QUESTION_LABELS else "answer"
    )
    return role, rest.strip()


def read_transcript(path: str | Path) -> Iterator[Item]:
    name = str(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline=None) as handle:
        numbered = _Peekable(enumerate((line.rstrip("\n") for line in handle), start=1))
        meta, problem = _front_matter(numbered)
        session = meta.get("session") or Path(path).stem
        candidate = meta.get("candidate")
        if problem:
            yield RowError(name, 1, problem, candidate=candidate, session=session)
        yield from _exchanges(name, _turns(numbered), candidate, session)


def _front_matter(numbered: _Peekable) -> tuple[dict[str, str], str | None]:
    """Consume YAML front matter if the file starts with it; peeked lines are put back."""
    first = next(numbered, None)
    if first is None:
        return {}, None
    if first[1].strip() != "---":
        numbered.push([first])
        return {}, None
    body: list[tuple[int, str]] = []
    closed = False
    for number, line in numbered:
        if line.strip() in ("---", "..."):
            closed = True
            break
        body.append((number, line))
        if len(body) >= MAX_FRONT_MATTER_LINES:
            break
    if not closed or any(_is_question_label(line) for _, line in body):
        numbered.push([first, *body])  # a thematic break before turns, not front matter
        return {}, None
    try:
        data = yaml.safe_load("\n".join(line for _, line in body))
    except yaml.YAMLError as exc:
        return {}, f"front matter is not valid YAML: {str(exc).splitlines()[0]}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "front matter must be a YAML mapping (candidate: ..., session: ...)"
    return {k: str(data[k]) for k in ("candidate", "session") if data.get(k) is not None}, None


def _is_question_label(line: str) -> bool:
    label = parse_turn_label(line)
    return label is not None and label[0] == "question"


class _Peekable(Iterator[tuple[int, str]]):
    """Numbered lines with a push-back, for the front-matter look-ahead."""

    def __init__(self, inner: Iterator[tuple[int, str]]) -> None:
        self.inner = inner
        self.pending: list[tuple[int, str]] = []

    def push(self, items: list[tuple[int, str]]) -> None:
        self.pending = items + self.pending

    def __next__(self) -> tuple[int, str]:
        if self.pending:
            return self.pending.pop(0)
        return next(self.inner)


def _turns(numbered: Iterator[tuple[int, str]]) -> Iterator[_Turn]:
    turn: _Turn | None = None
    for number, line in numbered:
        label = parse_turn_label(line)
        if label is not None:
            if turn is not None:
                yield turn
            role, rest = label
            turn = _Turn(role, number, [rest] if rest else [])
        elif _THEMATIC_BREAK.match(line) or _HEADING.match(line):
            if turn is not None:
                yield turn
            turn = None
        elif turn is not None:
            turn.lines.append(line)
    if turn is not None:
        yield turn


def _exchanges(
    name: str, turns: Iterator[_Turn], candidate: str | None, session: str | None
) -> Iterator[Item]:
    meta = {"candidate": candidate, "session": session}
    question: _Turn | None = None
    answer: _Turn | None = None
    seen_any = False

    def flush() -> Iterator[Item]:
        if question is not None and answer is None:
            if "?" in question.text:  # an unanswered remark ("Thanks, that's all") is no question
                yield RowError(name, question.line, "a question with no answer after it", **meta)
        elif question is not None and answer is not None:
            if not question.text:
                yield RowError(name, question.line, "an empty question turn", **meta)
            else:
                yield InputRow(
                    file=name,
                    line=answer.line,
                    answer=answer.text,
                    question=question.text,
                    question_line=question.line,
                    **meta,
                )

    for turn in turns:
        seen_any = True
        if turn.role == "question":
            yield from flush()
            question, answer = turn, None
        elif question is None:
            yield RowError(name, turn.line, "an answer turn with no question before it", **meta)
        elif answer is None:
            answer = turn
        else:  # the candidate goes on: one answer
            answer.lines.extend(["", *turn.lines])
    yield from flush()
    if not seen_any:
        yield RowError(
            name,
            1,
            "no speaker turns found (expected lines such as 'Interviewer:' / 'Candidate:' or 'Q:' / 'A:')",
            **meta,
        )
