"""The root of every error the package raises, and the errors of questions, rubrics and bank files.

Every error has a stable, machine-readable `code` (a class attribute, inherited unless a class names
its own) and a `details` dict of structured facts (`{}` when there are none). The root lives here, in
the bottom layer, so that rubric, evaluator and api errors share it; `evaluator.EvaluatorError` is
this same class.

EvaluatorError                  evaluator_error   root (rubric, evaluator, api)
 +-- RubricError                rubric_error
      +-- UnknownQuestionError  unknown_question  no question with that id in the bank
      +-- UnknownTopicError     unknown_topic     no question of that topic in the bank
      +-- InvalidRubricError    invalid_rubric    a rubric (inline or in a file) does not validate
           +-- BankFileError    invalid_rubric    a bank file cannot be read or parsed; names the file

The evaluator's own errors (evaluator/errors.py) and the HTTP layer's (api/errors.py) are its
children too. Messages speak to whoever called the library; a front end (CLI, API) may add its own
hint, chosen by `code`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar


class EvaluatorError(Exception):
    """Root of every error of rubric, evaluator and api: a message, a stable `code` and `details`."""

    code: ClassVar[str] = "evaluator_error"

    def __init__(self, message: str = "", details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details: dict[str, Any] = dict(details or {})

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its message and attributes, not by calling __init__ again (whose arguments vary
        # by class), so every error survives pickling, e.g. from a worker process to the caller.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[EvaluatorError], args: tuple[Any, ...], state: dict[str, Any]) -> EvaluatorError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class RubricError(EvaluatorError):
    """Root of the errors about questions, rubrics and bank files."""

    code = "rubric_error"


class UnknownQuestionError(RubricError, LookupError):
    """No question with that id in the bank."""

    code = "unknown_question"

    def __init__(self, question_id: str, known: int | None = None) -> None:
        self.question_id = question_id
        size = f" (the bank has {known} questions)" if known else ""
        super().__init__(f"unknown question id {question_id!r}{size}", {"question_id": question_id})


class UnknownTopicError(RubricError, LookupError):
    """No question of that topic in the bank; the message and `details` list the bank's topics."""

    code = "unknown_topic"

    def __init__(self, topic: str, topics: Iterable[str]) -> None:
        self.topic = topic
        known = sorted(topics)
        choices = ", ".join(known) if known else "(none: no question has a topic)"
        super().__init__(
            f"unknown topic {topic!r}: the topics are {choices}", {"topic": topic, "topics": known}
        )


class InvalidRubricError(RubricError, ValueError):
    """A rubric does not validate; the message names each bad field."""

    code = "invalid_rubric"


class BankFileError(InvalidRubricError):
    """A bank file cannot be read or parsed; the message names the file and the field."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: {problem}", {"path": self.path})
