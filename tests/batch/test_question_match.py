"""Question text -> bank id by meaning, on the real model: right ids, refusals, never a guess."""

from __future__ import annotations

import pytest

from evaluator.batch import MATCH_THRESHOLD, QuestionMatcher

pytestmark = pytest.mark.model

PARAPHRASES = [
    ("Can you explain dropout?", "fresher-10"),
    ("How does self-attention work in a transformer?", "advanced-03"),
    ("What's the difference between an epoch, a batch and an iteration?", "fresher-06"),
    ("GRU vs LSTM: what's the difference?", "advanced-02"),
    ("How would you speed up inference of a model in production?", "advanced-14"),
    ("What do you do when you run out of GPU memory while training?", "intermediate-15"),
    ("Great answer, thanks. Next one: what is dropout and why does it help?", "fresher-10"),
]
NOT_IN_BANK = [
    "Tell me about yourself.",
    "How would you design a URL shortener that handles a billion links?",
    "What is a support vector machine?",
    "What is k-means clustering?",
    "Hi, thanks for joining today. Ready to start?",
]


@pytest.fixture(scope="module")
def matcher(real_evaluator) -> QuestionMatcher:
    return QuestionMatcher(real_evaluator.bank, real_evaluator.embedder)


def test_paraphrases_find_their_question_with_a_confidence(matcher):
    matches = matcher.match_many([text for text, _ in PARAPHRASES])
    assert [m.question_id for m in matches] == [qid for _, qid in PARAPHRASES]
    assert all(MATCH_THRESHOLD <= m.confidence <= 1.0 for m in matches)
    assert all(m.reason == "" for m in matches)


def test_questions_outside_the_bank_are_refused_not_guessed(matcher):
    for match in matcher.match_many(NOT_IN_BANK):
        assert match.question_id is None, match
        assert match.confidence < MATCH_THRESHOLD
        assert match.reason.startswith(
            f"the question matches no bank question confidently: closest is {match.best_id}"
        )


def test_a_paraphrase_outscores_an_unrelated_question_for_the_same_id(matcher):
    close, far = matcher.match_many(["Can you explain dropout?", "What is your favourite colour?"])
    assert close.confidence > far.confidence + 0.3


def test_an_id_or_the_exact_bank_text_matches_with_full_confidence(matcher, real_evaluator):
    text = real_evaluator.bank["intermediate-09"].text
    by_id, by_text, shouted = matcher.match_many(["intermediate-09", text, "  " + text.upper() + " "])
    assert by_id.question_id == by_text.question_id == shouted.question_id == "intermediate-09"
    assert by_id.confidence == by_text.confidence == shouted.confidence == 1.0


def test_a_stricter_threshold_refuses_more(real_evaluator):
    strict = QuestionMatcher(real_evaluator.bank, real_evaluator.embedder, threshold=0.99)
    assert strict.match("Can you explain dropout?").question_id is None
    with pytest.raises(ValueError, match="threshold"):
        QuestionMatcher(real_evaluator.bank, real_evaluator.embedder, threshold=0)
