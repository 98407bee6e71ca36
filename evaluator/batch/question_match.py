"""Question text -> the bank question it asks, by meaning, with a confidence; never a guess.

The confidence is the cosine between the asked text (whole, or its best sentence, so that
"Thanks. Next: what is dropout?" works) and a bank question's text. A match is accepted when

* the confidence is at least MATCH_THRESHOLD (0.65), and
* it beats the runner-up question by at least MATCH_MARGIN (0.03), so a text that sits between
  two near-duplicate questions is not assigned to either.

Otherwise the row is reported as unmatched. The values were chosen on the real model with 69
interviewer-style paraphrases of bank questions and 40 questions the bank does not hold (small
talk and near topics such as graph neural networks, RLHF, positional encodings, L1
regularization): at 0.65 / 0.03 no outside question was accepted and no paraphrase was given
the wrong id, while 48 of the 69 paraphrases were matched (very short or very loose rewordings
such as "Why were ResNets such a big deal?" fall below it and are reported, not guessed).
Near topics come close (0.64), so lowering the threshold trades refusals for wrong matches.
A text equal to a bank id or to a bank question's text (ignoring case and spacing) matches
with confidence 1.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluator.embedding import Embedder
from evaluator.segment import split_sentences
from rubric import QuestionBank

MATCH_THRESHOLD = 0.65
MATCH_MARGIN = 0.03
CONFIDENCE_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class QuestionMatch:
    """The bank question a text asks (`question_id`), or None with the best candidate and why."""

    text: str
    question_id: str | None
    confidence: float
    best_id: str
    runner_up_id: str | None = None
    runner_up_confidence: float | None = None

    @property
    def reason(self) -> str:
        """Why there is no match (empty when there is one)."""
        if self.question_id is not None:
            return ""
        return (
            f"the question matches no bank question confidently: closest is {self.best_id} "
            f"at {self.confidence:.2f}"
            + (f", then {self.runner_up_id} at {self.runner_up_confidence:.2f}" if self.runner_up_id else "")
        )


class QuestionMatcher:
    """Matches question texts to a bank by meaning, in batches, with the evaluator's embedder."""

    def __init__(
        self,
        bank: QuestionBank,
        embedder: Embedder,
        threshold: float = MATCH_THRESHOLD,
        margin: float = MATCH_MARGIN,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"the match threshold must be in (0, 1], not {threshold}")
        self.bank = bank
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin
        self._ids = list(bank)
        self._id_set = set(self._ids)  # QuestionBank's `in` raises for an unknown id
        self._by_text = {_normalise(bank[qid].text): qid for qid in self._ids}
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def match(self, text: str) -> QuestionMatch:
        return self.match_many([text])[0]

    def match_many(self, texts: Sequence[str]) -> list[QuestionMatch]:
        """One match per text, in order; all the texts' sentences are embedded in one call."""
        exact = [self._exact(text) for text in texts]
        pending = [i for i, found in enumerate(exact) if found is None]
        units = [(i, unit) for i in pending for unit in _units(texts[i])]
        scores = np.full((len(texts), len(self._ids)), -1.0, dtype=np.float32)
        if units:
            similarities = self.embedder.encode([u for _, u in units]) @ self._bank_vectors().T
            np.maximum.at(scores, np.array([i for i, _ in units], dtype=np.intp), similarities)
        return [
            found or self._decide(text, scores[i])
            for i, (text, found) in enumerate(zip(texts, exact, strict=True))
        ]

    def _exact(self, text: str) -> QuestionMatch | None:
        key = text.strip()
        qid = key if key in self._id_set else self._by_text.get(_normalise(key))
        return QuestionMatch(text, qid, 1.0, qid) if qid else None

    def _decide(self, text: str, scores: np.ndarray) -> QuestionMatch:
        order = np.argsort(-scores, kind="stable")
        best = float(np.clip(scores[order[0]], -1.0, 1.0))
        second = float(scores[order[1]]) if len(order) > 1 else -1.0
        confident = best >= self.threshold and best - second >= self.margin
        return QuestionMatch(
            text=text,
            question_id=self._ids[order[0]] if confident else None,
            confidence=round(best, CONFIDENCE_DECIMALS),
            best_id=self._ids[order[0]],
            runner_up_id=self._ids[order[1]] if len(order) > 1 else None,
            runner_up_confidence=round(second, CONFIDENCE_DECIMALS) if len(order) > 1 else None,
        )

    def _bank_vectors(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                self._vectors = self.embedder.encode([self.bank[qid].text for qid in self._ids])
            return self._vectors


def _units(text: str) -> list[str]:
    """The whole text and, when it has several, each sentence of it."""
    sentences = [s.text for s in split_sentences(text)]
    return list(dict.fromkeys([" ".join(text.split()), *sentences])) if len(sentences) > 1 else [text]


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())
