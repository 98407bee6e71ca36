"""Errors about a batch run as a whole (a bad row is never an exception: it becomes an error row).

EvaluatorError
 +-- BatchError                 the run cannot start or continue as asked
      +-- InputFileError        an input file cannot be read in the format its name says
      +-- ResumeError           nothing to resume, a resume that does not fit, or unfinished work
"""

from __future__ import annotations

from evaluator.errors import EvaluatorError


class BatchError(EvaluatorError):
    """Root of the batch runner's errors."""


class InputFileError(BatchError):
    """An input file is missing, unreadable, of an unknown kind, or a CSV without the needed columns."""


class ResumeError(BatchError):
    """`resume` was asked for but cannot be honoured, or a fresh run would overwrite unfinished work."""
