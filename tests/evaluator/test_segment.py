from __future__ import annotations

import pytest

from evaluator.segment import (
    enclosing_sentences,
    segment_answer,
    split_clauses,
    split_sentences,
)


def _texts(segments):
    return [s.text for s in segments]


def test_spans_point_into_the_original_text():
    text = "  Dropout zeroes units at random, e.g. half of them.   It only runs in training!\n\n- Not at test time\n"
    for segment in segment_answer(text):
        assert text[segment.start : segment.end] == segment.text


def test_sentences_respect_abbreviations_and_decimals():
    text = "Use a rate of 0.5, i.e. half. Adam (cf. Kingma et al. 2014) adapts steps. Done"
    assert _texts(split_sentences(text)) == [
        "Use a rate of 0.5, i.e. half.",
        "Adam (cf. Kingma et al. 2014) adapts steps.",
        "Done",
    ]


def test_list_items_are_sentences_without_markers():
    text = "Ways to fight overfitting:\n- dropout\n* early stopping\n1. more data\n2) weight decay"
    assert _texts(split_sentences(text)) == [
        "Ways to fight overfitting:", "dropout", "early stopping", "more data", "weight decay",
    ]


def test_clauses_split_on_contrast_and_semicolons():
    text = "LSTMs have three gates, whereas GRUs have two; GRUs train faster."
    (sentence,) = split_sentences(text)
    assert _texts(split_clauses(sentence, text)) == [
        "LSTMs have three gates", "whereas GRUs have two", "GRUs train faster.",
    ]


def test_short_fragments_are_not_clauses():
    text = "Fast, and cheap."
    (sentence,) = split_sentences(text)
    assert split_clauses(sentence, text) == []


@pytest.mark.parametrize("text", ["one", "Just one sentence here.", "A. B. C."])
def test_segmenting_never_fails_and_covers_something(text):
    segments = segment_answer(text)
    assert segments
    assert all(s.kind in {"sentence", "clause", "pair"} for s in segments)


def test_pairs_join_neighbouring_sentences():
    text = "First claim here. Second claim here. Third claim here."
    pairs = [s for s in segment_answer(text) if s.kind == "pair"]
    assert _texts(pairs) == ["First claim here. Second claim here.", "Second claim here. Third claim here."]


def test_a_clause_is_enclosed_by_its_sentence_and_other_segments_by_themselves():
    text = "Standard CNNs use max pooling, which throws away exact positions. Capsules keep them."
    segments = segment_answer(text)
    enclosing = {s.text: e.text for s, e in zip(segments, enclosing_sentences(segments))}
    first = "Standard CNNs use max pooling, which throws away exact positions."
    assert enclosing["Standard CNNs use max pooling"] == first
    assert enclosing["which throws away exact positions."] == first
    assert enclosing["Capsules keep them."] == "Capsules keep them."
    assert enclosing[text] == text  # the pair
