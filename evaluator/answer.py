"""Checking an answer before it is scored: text, not empty, not too long."""

from __future__ import annotations

import re

from evaluator.errors import AnswerTooLongError, EmptyAnswerError, NotTextError

MAX_ANSWER_CHARS = 10_000
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def validate_answer(answer: object, max_chars: int = MAX_ANSWER_CHARS) -> str:
    """The answer as text, or an InvalidAnswerError that says what to fix."""
    if isinstance(answer, (bytes, bytearray)):
        try:
            answer = bytes(answer).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotTextError(f"the answer is not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not isinstance(answer, str):
        raise NotTextError(f"the answer must be text, not {type(answer).__name__}")
    bad = _FORBIDDEN.search(answer)
    if bad:
        raise NotTextError(
            f"the answer contains a control character (U+{ord(bad.group()):04X}) at offset "
            f"{bad.start()}: send plain text"
        )
    if not answer.strip():
        raise EmptyAnswerError("the answer is empty: write at least one sentence")
    if not any(ch.isalnum() for ch in answer):
        raise EmptyAnswerError("the answer has no words in it: write at least one sentence")
    if len(answer) > max_chars:
        raise AnswerTooLongError(
            f"the answer is {len(answer):,} characters long; the limit is {max_chars:,}: shorten it"
        )
    return answer
