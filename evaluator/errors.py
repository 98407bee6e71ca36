"""Errors the evaluator raises.

EvaluatorError
 +-- InvalidAnswerError          the answer cannot be scored as given
 |    +-- EmptyAnswerError
 |    +-- AnswerTooLongError
 |    +-- NotTextError
 +-- ModelUnavailableError       the bundled model package is missing or broken

Problems with questions and rubrics (unknown id, broken bank file) raise rubric.RubricError.
"""

from __future__ import annotations


class EvaluatorError(Exception):
    """Root of the evaluator's errors."""


class InvalidAnswerError(EvaluatorError, ValueError):
    """The answer cannot be scored as given."""


class EmptyAnswerError(InvalidAnswerError):
    """The answer is empty or only white space."""


class AnswerTooLongError(InvalidAnswerError):
    """The answer is longer than the configured limit."""


class NotTextError(InvalidAnswerError):
    """The answer is not readable text (invalid UTF-8, NUL or control bytes)."""


class ModelUnavailableError(EvaluatorError, RuntimeError):
    """The local model cannot be loaded."""
