"""Word-level signals: claim stems and misconception edits."""

from __future__ import annotations

import pytest

from evaluator.lexical import claim_stems, content_stems, makes_edit


def test_claim_stems_keep_polarity_words_that_content_stems_drop():
    text = "A GRU has more parameters, not fewer"
    assert {"more", "not"} <= claim_stems(text)
    assert not {"more", "not"} & content_stems(text)
    assert "a" not in claim_stems(text)


# the edit that turns "A GRU has fewer parameters and trains faster" into
# "A GRU has more parameters and trains slower", where no right text says "slower"
ADDED, REMOVED, NOVEL = claim_stems("more slower"), claim_stems("fewer faster"), claim_stems("slower")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The GRU is slower to train than an LSTM.", False),  # "more", a polarity word of the edit, is missing
        ("The GRU has more parameters, so it is slower.", True),
        ("The GRU has more parameters than an LSTM.", False),  # no novel word: "more" is said right elsewhere
        ("The GRU has fewer parameters, yet it is slower? No.", False),  # a removed word too
        ("The GRU has about as many parameters as an LSTM.", False),  # none of the added words
    ],
)
def test_makes_edit(text, expected):
    assert makes_edit(ADDED, REMOVED, NOVEL, claim_stems(text)) is expected


def test_an_edit_needs_a_third_of_its_added_words_its_polarity_words_and_adds_something():
    added = claim_stems("whole objects faces later")
    assert not makes_edit(added, frozenset(), added, claim_stems("it sees whole images"))  # 1 of 4
    assert makes_edit(added, frozenset(), added, claim_stems("whole objects come first"))  # 2 of 4
    negated = claim_stems("heads do not specialize")
    assert not makes_edit(negated, frozenset(), negated, claim_stems("the heads specialize"))  # no "not"
    assert makes_edit(negated, frozenset(), negated, claim_stems("the heads do not specialize"))
    assert not makes_edit(frozenset(), frozenset(), frozenset(), claim_stems("anything at all"))
