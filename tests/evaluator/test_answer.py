from __future__ import annotations

import pytest

from evaluator import (
    AnswerTooLongError,
    EmptyAnswerError,
    InvalidAnswerError,
    NotTextError,
    validate_answer,
)


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        ("", EmptyAnswerError, "empty"),
        ("   \n\t ", EmptyAnswerError, "empty"),
        ("... !!! ???", EmptyAnswerError, "no words"),
        ("x" * 10_001, AnswerTooLongError, "limit is 10,000"),
        (b"caf\xe9 latte", NotTextError, "not UTF-8"),
        ("nul\x00byte", NotTextError, r"U\+0000"),
        ("bell\x07", NotTextError, "control character"),
        (12345, NotTextError, "must be text"),
        ("lone \ud800 surrogate", NotTextError, r"U\+D800"),
    ],
)
def test_bad_answers_get_their_own_error(answer, error, message):
    with pytest.raises(error, match=message) as info:
        validate_answer(answer)
    assert isinstance(info.value, InvalidAnswerError)


def test_good_answers_pass_through():
    assert validate_answer("A fine answer.\nWith\ttabs.") == "A fine answer.\nWith\ttabs."
    assert validate_answer("Ünïcode is fine — yes".encode()) == "Ünïcode is fine — yes"
    assert validate_answer("x" * 50, max_chars=50) == "x" * 50
