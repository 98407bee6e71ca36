"""Question text -> the bank question it asks, by meaning, with a confidence; never a guess.

Both sides are compared in several pieces. The asked text counts whole and sentence by sentence
(so "Thanks. Next: what is dropout?" works); a bank question counts whole and clause by clause
(so "What is gradient descent?" finds "What is gradient descent, and what are its main
variants?"). Common abbreviations are spelled out on both sides first (CNN, RNN, LSTM, GRU, VAE,
GAN, ResNet, ViT, SGD, backprop, batch norm...), as the model knows the long forms far better.
The confidence is the best cosine between a piece of the asked text and a piece of a bank
question. A match is accepted when it beats the runner-up question by a margin, in one of two
ways (`MatchRule`):

* a close paraphrase: confidence >= 0.65 and a margin of 0.03 over the runner-up, or
* a loose rewording that clearly points one way: confidence >= 0.45 and a margin of 0.15.

Otherwise the text is reported as unmatched, with the closest question named. The values were
chosen on the tuning half of tests/data/question_rephrasings.yaml (rephrasings of all 45 bank
questions, small talk, and deep-learning questions the bank does not hold);
scripts/eval_question_match.py prints precision and recall on both halves. A text equal to a
bank id or to a bank question's text (ignoring case and spacing) matches with confidence 1.

The answer can settle a question that leans one way (`use_answers`), but it is off by default:
with each rephrasing paired with graded answers to its question, and each outside question with
answers to the bank question nearest to it (`eval_question_match.py --answers`), no setting tried
on the tuning half beat the question alone (precision 1.000, recall 0.978); the best kept recall
at 0.978 with precision 0.989, and the first one tried fell to precision 0.899 for recall 0.989.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from evaluator.embedding import Embedder
from evaluator.segment import split_sentences
from rubric import QuestionBank

MATCH_THRESHOLD = 0.65
MATCH_MARGIN = 0.03
LOOSE_THRESHOLD = 0.45
LOOSE_MARGIN = 0.15
ANSWER_QUESTION_FLOOR = 0.35  # the answer is consulted only when the question already points somewhere
ANSWER_SUPPORT_FLOOR = 0.35
ANSWER_LEAD = 0.15
CONFIDENCE_DECIMALS = 4
MIN_CLAUSE_WORDS = 3

ABBREVIATIONS = {
    "cnn": "convolutional neural network",
    "convnet": "convolutional neural network",
    "rnn": "recurrent neural network",
    "lstm": "long short-term memory network",
    "gru": "gated recurrent unit",
    "vae": "variational autoencoder",
    "gan": "generative adversarial network",
    "resnet": "residual network",
    "vit": "vision transformer",
    "sgd": "stochastic gradient descent",
    "backprop": "backpropagation",
    "batch norm": "batch normalization",
    "batchnorm": "batch normalization",
    "neural net": "neural network",
    "nn": "neural network",
    "ml": "machine learning",
    "dl": "deep learning",
    "rl": "reinforcement learning",
    "mlops": "machine learning operations",
}
_ABBREVIATION = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")(s?)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r",?\s+and\s+(?=(?:what|how|why|which|when|where)\b)|\?\s+|\.\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MatchRule:
    """When a best match is accepted: a close paraphrase, or a looser one with a wide margin."""

    threshold: float = MATCH_THRESHOLD
    margin: float = MATCH_MARGIN
    loose_threshold: float = LOOSE_THRESHOLD
    loose_margin: float = LOOSE_MARGIN

    def accepts(self, best: float, runner_up: float) -> bool:
        lead = best - runner_up
        return (best >= self.threshold and lead >= self.margin) or (
            best >= self.loose_threshold and lead >= self.loose_margin
        )


@dataclass(frozen=True, slots=True)
class QuestionMatch:
    """The bank question a text asks (`question_id`), or None with the best candidate and why."""

    text: str
    question_id: str | None
    confidence: float
    best_id: str
    runner_up_id: str | None = None
    runner_up_confidence: float | None = None
    by_answer: bool = False  # matched because the answer settled a question that leaned this way

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
        rule: MatchRule | None = None,
        use_answers: bool = False,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"the match threshold must be in (0, 1], not {threshold}")
        self.bank = bank
        self.embedder = embedder
        # A threshold raised above the default is the least confidence of any match: no loose tier.
        loose = LOOSE_THRESHOLD if threshold <= MATCH_THRESHOLD else threshold
        self.rule = rule or MatchRule(
            threshold=threshold, margin=margin, loose_threshold=min(loose, threshold)
        )
        self.use_answers = use_answers
        self._ids = list(bank)
        self._id_set = set(self._ids)  # QuestionBank's `in` raises for an unknown id
        self._by_text = {_normalise(bank[qid].text): qid for qid in self._ids}
        self._pieces = [
            (i, piece) for i, qid in enumerate(self._ids) for piece in question_clauses(bank[qid].text)
        ]
        self._vectors: np.ndarray | None = None
        self._points: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    @property
    def threshold(self) -> float:
        return self.rule.threshold

    def match(self, text: str) -> QuestionMatch:
        return self.match_many([text])[0]

    def match_many(
        self, texts: Sequence[str], answers: Sequence[str | None] | None = None
    ) -> list[QuestionMatch]:
        """One match per text, in order; all the texts' pieces are embedded in one call.

        With `answers` and `use_answers` (off by default: it measured worse, see the module
        docstring), a question that is not matched on its own but leans to one bank question
        (confidence >= 0.35) is matched when the answer agrees: its sentences cover that question's
        key points (mean best cosine >= 0.35) and question plus answer lead the runner-up by 0.15.
        """
        exact = [self._exact(text) for text in texts]
        pending = [i for i, found in enumerate(exact) if found is None]
        units = [(i, unit) for i in pending for unit in _units(expand_abbreviations(texts[i]))]
        scores = np.full((len(texts), len(self._ids)), -1.0, dtype=np.float32)
        if units:
            similarities = self.embedder.encode([u for _, u in units]) @ self._bank_vectors().T
            per_question = np.full((len(units), len(self._ids)), -1.0, dtype=np.float32)
            columns = np.array([i for i, _ in self._pieces], dtype=np.intp)
            for row in range(len(units)):
                np.maximum.at(per_question[row], columns, similarities[row])
            np.maximum.at(scores, np.array([i for i, _ in units], dtype=np.intp), per_question)
        decided = [
            found or self._decide(text, scores[i])
            for i, (text, found) in enumerate(zip(texts, exact, strict=True))
        ]
        if answers is not None and self.use_answers:
            self._consult_answers(decided, scores, answers)
        return decided

    def _consult_answers(
        self, decided: list[QuestionMatch], scores: np.ndarray, answers: Sequence[str | None]
    ) -> None:
        """Settle, in place, the unmatched questions whose answers say clearly what was asked."""
        open_ = [
            i for i, m in enumerate(decided)
            if m.question_id is None and m.confidence >= ANSWER_QUESTION_FLOOR and (answers[i] or "").strip()
        ]  # fmt: skip
        if not open_:
            return
        sentences = [(i, s.text) for i in open_ for s in split_sentences(answers[i] or "")]
        if not sentences:
            return
        points, columns = self._point_vectors()
        similarities = self.embedder.encode([text for _, text in sentences]) @ points.T
        for i in open_:
            rows = [r for r, (owner, _) in enumerate(sentences) if owner == i]
            if not rows:
                continue
            best_per_point = similarities[rows].max(axis=0)
            support = np.bincount(columns, weights=best_per_point, minlength=len(self._ids)) / np.bincount(
                columns, minlength=len(self._ids)
            ).clip(min=1)
            combined = scores[i] + support
            order = np.argsort(-combined, kind="stable")
            top = int(order[0])
            if (
                self._ids[top] == decided[i].best_id
                and support[top] >= ANSWER_SUPPORT_FLOOR
                and combined[top] - combined[order[1]] >= ANSWER_LEAD
            ):
                decided[i] = replace(decided[i], question_id=self._ids[top], by_answer=True)

    def _exact(self, text: str) -> QuestionMatch | None:
        key = text.strip()
        qid = key if key in self._id_set else self._by_text.get(_normalise(key))
        return QuestionMatch(text, qid, 1.0, qid) if qid else None

    def _decide(self, text: str, scores: np.ndarray) -> QuestionMatch:
        order = np.argsort(-scores, kind="stable")
        best = float(np.clip(scores[order[0]], -1.0, 1.0))
        second = float(scores[order[1]]) if len(order) > 1 else -1.0
        return QuestionMatch(
            text=text,
            question_id=self._ids[order[0]] if self.rule.accepts(best, second) else None,
            confidence=round(best, CONFIDENCE_DECIMALS),
            best_id=self._ids[order[0]],
            runner_up_id=self._ids[order[1]] if len(order) > 1 else None,
            runner_up_confidence=round(second, CONFIDENCE_DECIMALS) if len(order) > 1 else None,
        )

    def _point_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key point's vector, and the index of the question it belongs to."""
        with self._lock:
            if self._points is None:
                owners = [(i, p.text) for i, qid in enumerate(self._ids) for p in self.bank[qid].key_points]
                vectors = self.embedder.encode([text for _, text in owners])
                self._points = (vectors, np.array([i for i, _ in owners], dtype=np.intp))
            return self._points

    def _bank_vectors(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                self._vectors = self.embedder.encode([piece for _, piece in self._pieces])
            return self._vectors


def expand_abbreviations(text: str) -> str:
    """ "What's a CNN?" -> "What's a convolutional neural network?"."""
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m[1].lower()] + m[2], text)


def question_clauses(question: str) -> list[str]:
    """A bank question whole, then each part it asks ("What is X, and how does Y?" -> both halves)."""
    question = expand_abbreviations(" ".join(question.split()))
    parts = [p.strip() for p in _CLAUSE_BREAK.split(question)]
    return list(dict.fromkeys([question, *(p for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS)]))


def _units(text: str) -> list[str]:
    """The whole text and, when it has several, each sentence of it."""
    sentences = [s.text for s in split_sentences(text)]
    return list(dict.fromkeys([" ".join(text.split()), *sentences])) if len(sentences) > 1 else [text]


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())
