"""Errors the evaluator raises. Their root, EvaluatorError, is the one root of every error of rubric,
evaluator and api: it is defined in the bottom layer (rubric/errors.py) and re-exported here.

EvaluatorError                   evaluator_error
 +-- InvalidAnswerError          invalid_answer     the answer cannot be scored as given
 |    +-- EmptyAnswerError       empty_answer
 |    +-- AnswerTooLongError     answer_too_long
 |    +-- NotTextError           answer_not_text
 +-- ModelUnavailableError       model_unavailable  the bundled model package is missing or broken
 +-- rubric.RubricError          rubric_error       questions, rubrics and bank files (rubric/errors.py)

Each has a stable `code` and a `details` dict (`{}` when there is nothing more to say).
"""

from __future__ import annotations

from rubric.errors import EvaluatorError

__all__ = [
    "AnswerTooLongError",
    "EmptyAnswerError",
    "EvaluatorError",
    "InvalidAnswerError",
    "ModelUnavailableError",
    "NotTextError",
]


class InvalidAnswerError(EvaluatorError, ValueError):
    """The answer cannot be scored as given."""

    code = "invalid_answer"


class EmptyAnswerError(InvalidAnswerError):
    """The answer is empty or only white space."""

    code = "empty_answer"


class AnswerTooLongError(InvalidAnswerError):
    """The answer is longer than the configured limit."""

    code = "answer_too_long"


class NotTextError(InvalidAnswerError):
    """The answer is not readable text (invalid UTF-8, NUL or control bytes)."""

    code = "answer_not_text"


class ModelUnavailableError(EvaluatorError, RuntimeError):
    """The local model cannot be loaded."""

    code = "model_unavailable"
