"""Errors raised for questions, rubrics and bank files.

RubricError
 +-- UnknownQuestionError    no question with that id in the bank
 +-- InvalidRubricError      a rubric (inline or in a file) does not validate
      +-- BankFileError      a bank file cannot be read or parsed; names the file
"""

from __future__ import annotations


class RubricError(Exception):
    """Root of the rubric package's errors."""


class UnknownQuestionError(RubricError, LookupError):
    """No question with that id in the bank."""

    def __init__(self, question_id: str, known: int | None = None) -> None:
        self.question_id = question_id
        hint = f" (the bank has {known} questions; `evaluator questions` lists them)" if known else ""
        super().__init__(f"unknown question id {question_id!r}{hint}")

    def __str__(self) -> str:
        return self.args[0]


class InvalidRubricError(RubricError, ValueError):
    """A rubric does not validate; the message names each bad field."""


class BankFileError(InvalidRubricError):
    """A bank file cannot be read or parsed; the message names the file and the field."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: {problem}")
