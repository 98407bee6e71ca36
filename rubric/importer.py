"""Import a question document in the common interview-prep layout as bank files.

    Deep Learning Interview Questions for Freshers     <- a heading that names the level
    1. What is a neural network?                       <- a numbered question
    Answer Intent: Describe the structure ...          <- what a good answer must do
    Answer: A neural network is ...                    <- a reference answer (may run on)

Each question becomes `<level>-<nn>.yaml` with key points built by `build_rubric`. Sections
without such questions (a FAQ, tips, adverts) are skipped; inside a section of questions, a line
that belongs to no question is reported with its line number instead of being dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rubric.errors import InvalidRubricError, RubricError
from rubric.io import save_question
from rubric.models import ID_PATTERN, Level, Question

if TYPE_CHECKING:
    from rubric.embedder import Embedder

MAX_DOCUMENT_BYTES = 5_000_000

_MARKUP = re.compile(r"^(?:#{1,6}\s+|>\s*)|(?:\*\*|__)")
_QUESTION = re.compile(r"^(?:q(?:uestion)?\s*)?(?P<number>\d{1,3})\s*[.):]\s+(?P<text>\S.*)$", re.I)
_LABEL = re.compile(
    r"^(?:[-*\u2022]\s+)?(?P<label>(?:answer\s+)?intent|what\s+(?:to|they(?:'re|\s+are)?)\s+look(?:ing)?\s+for|"
    r"interviewer'?s?\s+intent|(?:sample|model|reference|expected|suggested|short|example)\s+answer|answer|a)"
    r"(?:\s*:|\s+[\u2013\u2014-])\s*(?P<text>.*)$",
    re.I,
)
_LEVELS: tuple[tuple[Level, re.Pattern[str]], ...] = (
    ("fresher", re.compile(r"\b(?:freshers?|beginners?|basics?|entry[- ]level|junior|newcomers?)\b", re.I)),
    ("intermediate", re.compile(r"\b(?:intermediate|mid[- ]level)\b", re.I)),
    ("advanced", re.compile(r"\b(?:advanced|senior|experts?|experienced)\b", re.I)),
)
MAX_HEADING_WORDS = 14


@dataclass(frozen=True, slots=True)
class DocumentQuestion:
    """One question as found in the document, before any key points are built."""

    line: int
    number: int
    level: Level | None
    text: str
    intent: str | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class UnplacedLine:
    """A line inside a section of questions that could not be attached to any of them."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.text[:80]}"


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    questions: tuple[DocumentQuestion, ...]
    unplaced: tuple[UnplacedLine, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote, and what it could not use."""

    questions: tuple[Question, ...]
    paths: tuple[Path, ...]
    unplaced: tuple[UnplacedLine, ...]
    failed: tuple[UnplacedLine, ...] = ()


@dataclass(slots=True)
class _Open:
    """A question being read: its fields so far and which field continuation lines extend."""

    line: int
    number: int
    level: Level | None
    text: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    extending: str | None = None

    def close(self) -> DocumentQuestion:
        def joined(name: str) -> str | None:
            text = " ".join(" ".join(self.fields.get(name, [])).split())
            return text or None

        return DocumentQuestion(self.line, self.number, self.level, self.text, joined("intent"), joined("answer"))


def parse_document(text: str) -> ParsedDocument:
    """Find the questions of a document, their level, intent and answer, and the lines left over."""
    lines = text.splitlines()
    questions: list[DocumentQuestion] = []
    unplaced: list[UnplacedLine] = []
    pending: list[UnplacedLine] = []  # leftovers of the current section, kept if it has questions
    level: Level | None = None
    current: _Open | None = None
    section_has_questions = False

    def finish_question() -> None:
        nonlocal current
        if current is not None:
            questions.append(current.close())
            current = None

    def finish_section() -> None:
        nonlocal section_has_questions
        if section_has_questions:
            unplaced.extend(pending)
        pending.clear()
        section_has_questions = False

    for index, raw in enumerate(lines):
        number = index + 1
        line = _plain(raw)
        if not line:
            if current is not None:
                current.extending = None
            continue
        label = _LABEL.match(line)
        question = _QUESTION.match(line)
        if label and not (question and not label.group("text")):
            name = _field_name(label.group("label"))
            if current is None:
                pending.append(UnplacedLine(number, line, f"'{label.group('label')}:' line with no question before it"))
            elif name in current.fields:
                pending.append(UnplacedLine(number, line, f"a second '{label.group('label')}:' for question {current.number}"))
                current.extending = None
            else:
                current.fields[name] = [label.group("text")]
                current.extending = name
            continue
        if current is not None and current.extending is not None and not question:
            current.fields[current.extending].append(line)  # the field runs on
            continue
        if question:
            finish_question()
            if _next_is_label(lines, index):
                current = _Open(number, int(question.group("number")), level, question.group("text").strip())
                section_has_questions = True
            else:
                pending.append(UnplacedLine(number, line, "numbered line with no 'Answer Intent:' or 'Answer:' after it"))
            continue
        if _is_heading(line, lines, index):
            finish_question()
            finish_section()
            level = _level_named(line) or level
            continue
        finish_question()
        if section_has_questions:
            pending.append(UnplacedLine(number, line, "not part of any question's intent or answer"))
    finish_question()
    finish_section()
    return ParsedDocument(tuple(questions), tuple(sorted(unplaced, key=lambda u: u.line)))


def question_ids(questions: tuple[DocumentQuestion, ...] | list[DocumentQuestion], prefix: str | None = None) -> list[str]:
    """`fresher-01`, `fresher-02`, ... counted per level in document order (`question-01` without
    a level), after an optional prefix."""
    counts: dict[str, int] = {}
    ids = []
    for q in questions:
        stem = q.level or "question"
        counts[stem] = counts.get(stem, 0) + 1
        ids.append(f"{prefix + '-' if prefix else ''}{stem}-{counts[stem]:02d}")
    return ids


def import_document(
    source: str | Path,
    out_dir: str | Path,
    *,
    prefix: str | None = None,
    embedder: Embedder,
    overwrite: bool = False,
    build: Callable[..., Question] | None = None,
) -> ImportResult:
    """Parse a document, build each question's key points, and write one bank file per question.

    Nothing is written if a target file exists (unless `overwrite`) or the document has no
    questions; a question whose key points cannot be built is listed in `failed`, the rest written.
    """
    from rubric.build import build_rubric

    build = build or build_rubric
    path = Path(source)
    parsed = parse_document(_read_document(path))
    if not parsed.questions:
        raise InvalidRubricError(
            f"{path}: no questions found (expected numbered question lines followed by "
            "'Answer Intent:' or 'Answer:' lines)"
        )
    if prefix is not None and not re.fullmatch(ID_PATTERN, f"{prefix}-x"):
        raise InvalidRubricError(f"prefix {prefix!r}: use lower-case letters, digits and dashes")
    ids = question_ids(parsed.questions, prefix)
    folder = Path(out_dir)
    existing = [folder / f"{qid}.yaml" for qid in ids if (folder / f"{qid}.yaml").exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise RubricError(f"{folder}: {len(existing)} files already exist ({names}); pass overwrite to replace them")

    built: list[Question] = []
    failed: list[UnplacedLine] = []
    for qid, doc_question in zip(ids, parsed.questions):
        try:
            question = build(doc_question.text, doc_question.intent, doc_question.answer, id=qid, embedder=embedder)
        except InvalidRubricError as exc:
            failed.append(UnplacedLine(doc_question.line, doc_question.text, f"no rubric built: {exc}"))
            continue
        built.append(question.model_copy(update={"level": doc_question.level}))
    paths = tuple(save_question(q, folder) for q in built)
    return ImportResult(tuple(built), paths, parsed.unplaced, tuple(failed))


def _read_document(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise InvalidRubricError(f"{path}: larger than {MAX_DOCUMENT_BYTES} bytes")
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidRubricError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InvalidRubricError(f"{path}: not UTF-8 text") from None


def _plain(line: str) -> str:
    line = line.replace("\u2019", "'").replace("\u00a0", " ")
    return " ".join(_MARKUP.sub("", line).split())


def _field_name(label: str) -> str:
    label = label.lower()
    return "intent" if "intent" in label or "look" in label else "answer"


def _next_is_label(lines: list[str], index: int, window: int = 3) -> bool:
    """Is a numbered line followed (within a few non-blank lines) by an intent or answer line?"""
    seen = 0
    for raw in lines[index + 1 :]:
        line = _plain(raw)
        if not line:
            continue
        if _LABEL.match(line):
            return True
        seen += 1
        if seen >= window or _QUESTION.match(line):
            return False
    return False


def _is_heading(line: str, lines: list[str], index: int) -> bool:
    """A markdown heading, or a short line without closing punctuation standing on its own."""
    if re.match(r"^\s*#{1,6}\s", lines[index]):
        return True
    words = line.split()
    if len(words) > MAX_HEADING_WORDS or re.search(r"[.!?:;,]$", line) or re.match(r"^[-*\u2022]", line):
        return False
    if re.match(r"^(?:\S+\s+){0,2}\S+:\s", line):
        return False  # "Also Read: ...": a labelled aside, not a heading
    return index == 0 or not _plain(lines[index - 1])


def _level_named(heading: str) -> Level | None:
    for level, pattern in _LEVELS:
        if pattern.search(heading):
            return level
    return None
