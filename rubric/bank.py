"""The question bank: the bundled questions, or a user's own folder of question files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from rubric.errors import BankFileError, UnknownQuestionError
from rubric.io import QUESTION_SUFFIXES, load_question_file
from rubric.models import Question

BUNDLED_BANK = Path(__file__).resolve().parent / "data" / "questions"


class QuestionBank(Mapping[str, Question]):
    """Questions by id, in a stable order (level, then id)."""

    _LEVEL_ORDER = {"fresher": 0, "intermediate": 1, "advanced": 2, None: 3}

    def __init__(self, questions: list[Question]) -> None:
        ordered = sorted(questions, key=lambda q: (self._LEVEL_ORDER[q.level], q.id))
        self._questions = {q.id: q for q in ordered}

    def __getitem__(self, question_id: str) -> Question:
        return self.get(question_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._questions)

    def __len__(self) -> int:
        return len(self._questions)

    def get(self, question_id: str) -> Question:  # type: ignore[override]
        """The question with this id; UnknownQuestionError if there is none."""
        try:
            return self._questions[question_id]
        except (KeyError, TypeError):
            raise UnknownQuestionError(str(question_id), known=len(self._questions)) from None

    def filter(self, level: str | None = None, topic: str | None = None) -> list[Question]:
        """Questions of the given level and/or topic, in bank order."""
        return [
            q
            for q in self._questions.values()
            if (level is None or q.level == level) and (topic is None or q.topic == topic)
        ]

    @property
    def topics(self) -> list[str]:
        return sorted({q.topic for q in self._questions.values() if q.topic})


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load every question file in a folder; with no path, the bundled bank (cached)."""
    if path is None:
        return _bundled_bank()
    return _load_folder(Path(path))


@lru_cache(maxsize=1)
def _bundled_bank() -> QuestionBank:
    return _load_folder(BUNDLED_BANK)


def _load_folder(folder: Path) -> QuestionBank:
    if not folder.is_dir():
        raise BankFileError(folder, "not a folder of question files")
    files = sorted(p for p in folder.iterdir() if p.suffix in QUESTION_SUFFIXES and p.is_file())
    if not files:
        raise BankFileError(folder, f"no question files ({', '.join(QUESTION_SUFFIXES)}) in the folder")
    questions: dict[str, Path] = {}
    loaded = []
    for file in files:
        question = load_question_file(file)
        if question.id in questions:
            raise BankFileError(file, f"id {question.id!r} is already used by {questions[question.id].name}")
        questions[question.id] = file
        loaded.append(question)
    return QuestionBank(loaded)
