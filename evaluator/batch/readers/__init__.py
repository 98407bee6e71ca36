"""Input files -> a stream of answers to score (`InputRow`) or of rows not scored (`RowError`).

Every item carries its file and 1-based line number. The layout is found from the content (the
extension decides only for .jsonl and .csv), or forced with `fmt`; one module per layout:

tabular.py      JSON Lines and CSV, one answer per row
labelled.py     `Interviewer:`/`Candidate:` or `Q:`/`A:` turns, plain, bold or as headings
speakers.py     speaker lines with names, with or without timestamps
chat.py         chat exports (Zoom, WhatsApp, Teams)
captions.py     WebVTT and SRT captions
notes.py        Markdown notes: questions as headings, bold or numbered lines, answers below

header.py reads front matter and participant lines; conversation.py works out who is who and
pairs each question with its answer. Anything that is not an answer to a question (small talk
before the first question, an unanswered question) is a `skipped` RowError, not a malformed one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from evaluator.batch.errors import InputFileError
from evaluator.batch.readers.captions import CaptionError, caption_turns
from evaluator.batch.readers.chat import chat_turns
from evaluator.batch.readers.conversation import Turn, assign_roles, exchanges, fold_strays, merge_turns
from evaluator.batch.readers.detect import FORMATS, TRANSCRIPT_FORMATS, Format, detect_format
from evaluator.batch.readers.header import Header, read_header
from evaluator.batch.readers.labelled import labelled_turns, parse_turn_label
from evaluator.batch.readers.notes import note_turns
from evaluator.batch.readers.rows import MALFORMED, SKIPPED, InputRow, Item, RowError
from evaluator.batch.readers.speakers import speaker_turns
from evaluator.batch.readers.tabular import csv_header, open_text, read_csv, read_jsonl

KNOWN_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".txt", ".md", ".markdown", ".vtt", ".srt", ".log")
NO_TURNS = (
    "no speaker turns found (expected lines such as 'Interviewer:' / 'Candidate:' or 'Q:' / 'A:', "
    "'Name: ...' speaker lines, captions, a chat export or notes with questions; see docs/input-formats.md)"
)

__all__ = [
    "FORMATS",
    "MALFORMED",
    "SKIPPED",
    "Format",
    "InputRow",
    "Item",
    "RowError",
    "check_input",
    "count_items",
    "input_format",
    "parse_turn_label",
    "read_file",
    "read_inputs",
]


def input_format(path: str | Path, fmt: Format | None = None) -> Format:
    """The layout a file is read in: `fmt` if given, else from its extension and content."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in KNOWN_SUFFIXES:
        raise InputFileError(
            f"{path}: unknown input kind {suffix or '(no extension)'!r}; use {', '.join(KNOWN_SUFFIXES)} "
            "or name the layout with --format"
        )
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return detect_format(_lines(Path(path)))


def check_input(path: str | Path, fmt: Format | None = None) -> Format:
    """Fail fast, before any model loads, on a file that cannot be read at all."""
    file = Path(path)
    if fmt is None:
        input_format(path)  # an unknown extension is reported before a missing file
    if not file.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        with file.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    fmt = input_format(path, fmt)
    if fmt == "csv":
        with open_text(file) as handle:
            csv_header(csv.reader(handle), str(path))
    return fmt


def read_file(path: str | Path, fmt: Format | None = None) -> Iterator[Item]:
    """The rows of one input file, in file order."""
    fmt = input_format(path, fmt)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "csv":
        return read_csv(path)
    return iter(list(read_transcript(path, fmt)))


def read_inputs(paths: Iterable[str | Path], fmt: Format | None = None) -> Iterator[Item]:
    """The rows of every file, file after file."""
    for path in paths:
        yield from read_file(path, fmt)


def count_items(paths: Iterable[str | Path], fmt: Format | None = None) -> int:
    """How many rows (scorable or not) the files hold: a quick first pass for a progress bar."""
    return sum(1 for _ in read_inputs(paths, fmt))


def read_transcript(path: str | Path, fmt: Format) -> Iterator[Item]:
    """One interview: its exchanges in order, with the candidate and session found in it."""
    if fmt not in TRANSCRIPT_FORMATS:
        raise InputFileError(f"{path}: {fmt} is not a transcript layout")
    name = str(path)
    text = Path(path).read_text(encoding="utf-8-sig", errors="surrogateescape")
    # read_text has made every \r\n and \r a \n; str.splitlines would also break at \f, \v and
    # other separators, and the line numbers would no longer be an editor's
    lines = text.split("\n")
    header = read_header(lines, participant_lines=fmt not in ("vtt", "srt"))
    if fmt in ("vtt", "srt"):
        header.used.clear()
    session = header.session or Path(path).stem
    if header.problem:
        yield RowError(name, 1, header.problem, candidate=header.names.get("candidate"), session=session)
    try:
        turns, title_name = _turns(fmt, text, lines, header)
    except CaptionError as exc:
        yield RowError(name, 1, str(exc), session=session)
        return
    if not turns:
        yield RowError(name, 1, NO_TURNS, candidate=header.names.get("candidate"), session=session)
        return
    if fmt in ("labelled", "notes"):
        candidate = header.names.get("candidate") or title_name
    else:
        candidate = assign_roles(turns, header)
        turns = merge_turns(fold_strays(turns))
    yield from exchanges(name, turns, candidate, session)


def _turns(fmt: Format, text: str, lines: list[str], header: Header) -> tuple[list[Turn], str | None]:
    if fmt == "labelled":
        return labelled_turns(lines, header), None
    if fmt == "notes":
        return note_turns(lines, header)
    if fmt == "speakers":
        return speaker_turns(lines, header), None
    if fmt == "chat":
        return chat_turns(lines, header), None
    return caption_turns(text, lines, fmt), None


def _lines(path: Path, limit: int = 400) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            return [line.rstrip("\n") for _, line in zip(range(limit), handle, strict=False)]
    except OSError:
        return []
