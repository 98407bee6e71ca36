"""Questions and their rubrics: the schema, the bundled bank, and reading and writing files."""

from rubric.bank import QuestionBank, load_bank
from rubric.errors import BankFileError, InvalidRubricError, RubricError, UnknownQuestionError, UnknownTopicError
from rubric.io import dump_question_yaml, load_question_file, parse_question, save_question
from rubric.models import KeyPoint, Level, Question

__all__ = [
    "BankFileError",
    "InvalidRubricError",
    "KeyPoint",
    "Level",
    "Question",
    "QuestionBank",
    "RubricError",
    "UnknownQuestionError",
    "UnknownTopicError",
    "build_rubric",
    "dump_question_yaml",
    "load_bank",
    "load_question_file",
    "parse_question",
    "save_question",
]


def __getattr__(name: str) -> object:
    # the builder is large; `import rubric` loads it only when build_rubric is asked for
    if name == "build_rubric":
        from rubric.build import build_rubric

        return build_rubric
    raise AttributeError(f"module 'rubric' has no attribute {name!r}")
