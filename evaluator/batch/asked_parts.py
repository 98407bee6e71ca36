"""Which key points of a bank question an asked question leaves out, by meaning.

A bank question with several parts ("What is X, and how does Y?") is split into its clauses
(question_match.question_clauses). A part counts as asked when the asked text is about as close to
it as to the closest part (within PART_DELTA); each key point belongs to the part its text is
closest to, or to every part within POINT_TIE of that. Points whose parts were all left unasked
are `not_asked`. scripts/eval_question_match.py --asked measures this on tests/data/asked_points.yaml;
it measured too weak to be on by default (precision 0.67 to 0.88 on the flags, recall under 0.4), so
`evaluator batch --not-asked` turns it on.
"""

from __future__ import annotations

import re
import threading

import numpy as np

from evaluator.batch.question_match import _units, expand_abbreviations, question_clauses
from evaluator.embedding import Embedder
from rubric import QuestionBank

PART_DELTA = 0.15
POINT_TIE = 0.05
_SUBJECT = re.compile(
    r"^(?:what|how|why)\s+(?:is|are|does|do|did)\s+(?:an?\s+|the\s+)?(?P<subject>.+?)(?:\s+(?:do|work|compute|differ))?\??$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(its|it|they|them|their|one)\b", re.IGNORECASE)


def self_contained(parts: list[str]) -> list[str]:
    """Later parts with their pronouns replaced by the first part's subject ("its variants" -> "X's")."""
    match = _SUBJECT.match(parts[0].strip()) if parts else None
    if not match:
        return parts
    subject = match["subject"]

    def name(pronoun: re.Match[str]) -> str:
        return f"{subject}'s" if pronoun[1].lower() in ("its", "their") else subject

    return [parts[0], *(_PRONOUN.sub(name, part) for part in parts[1:])]


class AskedParts:
    """Finds the key points an asked question does not ask for, with the evaluator's embedder."""

    def __init__(
        self, bank: QuestionBank, embedder: Embedder, delta: float = PART_DELTA, tie: float = POINT_TIE
    ):
        self.bank = bank
        self.embedder = embedder
        self.delta = delta
        self.tie = tie
        self._owners: dict[str, tuple[list[str], np.ndarray, list[list[int]]]] = {}
        self._lock = threading.Lock()

    def not_asked(self, asked: str, question_id: str) -> frozenset[str]:
        """Ids of the points that the asked text leaves out (empty when it asks every part)."""
        parts, part_vectors, owners = self._question(question_id)
        if len(parts) < 2:
            return frozenset()
        units = self.embedder.encode(_units(expand_abbreviations(asked)))
        closeness = (units @ part_vectors.T).max(axis=0)
        asked_parts = {k for k, value in enumerate(closeness) if value >= closeness.max() - self.delta}
        if len(asked_parts) == len(parts):
            return frozenset()
        point_ids = [p.id for p in self.bank[question_id].key_points]
        return frozenset(
            pid for pid, homes in zip(point_ids, owners, strict=True) if not asked_parts & set(homes)
        )

    def _question(self, question_id: str) -> tuple[list[str], np.ndarray, list[list[int]]]:
        with self._lock:
            if question_id not in self._owners:
                question = self.bank[question_id]
                parts = self_contained(question_clauses(question.text)[1:])
                if len(parts) < 2:
                    self._owners[question_id] = (parts, np.zeros((0, 0)), [])
                else:
                    part_vectors = self.embedder.encode(parts)
                    point_vectors = self.embedder.encode([p.text for p in question.key_points])
                    fit = point_vectors @ part_vectors.T
                    owners = [[k for k, v in enumerate(row) if v >= row.max() - self.tie] for row in fit]
                    self._owners[question_id] = (parts, part_vectors, owners)
            return self._owners[question_id]
