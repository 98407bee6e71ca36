"""RubricIndex: each rubric's vectors and word sets, computed once per rubric and kept in an LRU."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from evaluator.lexical import claim_stems, content_stems, demote, question_stems
from evaluator.segment import segment_answer
from rubric import Question
from rubric.embedder import Embedder

MAX_CACHED_RUBRICS = 512

# the claim stems a misconception adds to its nearest right text, those it takes away, and those
# no right text uses
Edit = tuple[frozenset[str], frozenset[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class RubricVectors:
    """What matching needs of one rubric: phrasing and misconception vectors and their word sets."""

    phrasings: tuple[str, ...]
    owner: np.ndarray  # phrasing index -> point index
    vectors: np.ndarray  # (phrasings, dim)
    demoted: np.ndarray  # the same, with the question's words taken out
    stems: tuple[frozenset[str], ...]  # content stems of each phrasing, question words taken out
    question_stems: frozenset[str]
    weights: np.ndarray
    misconceptions: tuple[str, ...]
    misconception_owner: np.ndarray  # misconception index -> point index
    misconception_vectors: np.ndarray  # (misconceptions, dim)
    misconception_anchor: np.ndarray  # each misconception's best cosine with the rubric's right texts
    misconception_stems: tuple[frozenset[str], ...]  # each one's content stems that no right text uses
    misconception_edits: tuple[Edit, ...]  # how each one edits its nearest right text (misconception_edit)


class RubricIndex:
    """Thread-safe cache of `RubricVectors`, at most `max_rubrics` rubrics, least recently used out."""

    def __init__(self, embedder: Embedder, max_rubrics: int = MAX_CACHED_RUBRICS) -> None:
        self.embedder = embedder
        self.max_rubrics = max_rubrics
        self._cache: OrderedDict[Question, RubricVectors] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, embedder: Embedder) -> None:
        """Embed with `embedder` from now on; vectors made with the old one are dropped."""
        with self._lock:
            self.embedder = embedder
            self._cache.clear()

    def vectors(self, question: Question) -> RubricVectors:
        with self._lock:
            cached = self._cache.get(question)
            if cached is not None:
                self._cache.move_to_end(question)
                return cached
        vectors = embed_rubric(question, self.embedder)
        with self._lock:
            self._cache[question] = vectors
            while len(self._cache) > self.max_rubrics:
                self._cache.popitem(last=False)
        return vectors


def embed_rubric(question: Question, embedder: Embedder) -> RubricVectors:
    """Embed a rubric's phrasings (as written and question-demoted), misconceptions and right texts."""
    drop = question_stems(question.text)
    owner, phrasings = zip(*((i, t) for i, p in enumerate(question.key_points) for t in p.phrasings))
    demoted = [demote(t, drop) for t in phrasings]
    wrong = [t for p in question.key_points for t in p.misconceptions]
    wrong_owner = [i for i, p in enumerate(question.key_points) for _ in p.misconceptions]
    # text known to be right, whole and cut as answers are: the phrasings and the reference answer
    right = list(dict.fromkeys((*phrasings, *(
        s.text for t in (*phrasings, question.reference_answer or "") for s in segment_answer(t) if s.kind != "pair"
    ))))
    texts = list(dict.fromkeys((*phrasings, *demoted, *wrong, *right)))
    encoded = embedder.encode(texts)
    index = {t: i for i, t in enumerate(texts)}
    wrong_vectors = encoded[[index[t] for t in wrong]].reshape(len(wrong), encoded.shape[1])
    right_vectors = encoded[[index[t] for t in right]]
    right_stems = frozenset().union(*(content_stems(t) for t in right))
    right_claims = frozenset().union(*(claim_stems(t) for t in right))
    to_right = wrong_vectors @ right_vectors.T
    nearest = [right[n] for n in to_right.argmax(axis=1)]
    return RubricVectors(
        phrasings=tuple(phrasings),
        owner=np.array(owner, dtype=np.intp),
        vectors=encoded[[index[t] for t in phrasings]],
        demoted=encoded[[index[t] for t in demoted]],
        stems=tuple(content_stems(t, drop) for t in phrasings),
        question_stems=drop,
        weights=np.array([p.weight for p in question.key_points], dtype=np.float64),
        misconceptions=tuple(wrong),
        misconception_owner=np.array(wrong_owner, dtype=np.intp),
        misconception_vectors=wrong_vectors,
        misconception_anchor=to_right.max(axis=1, initial=-1.0),
        misconception_stems=tuple(content_stems(t) - right_stems for t in wrong),
        misconception_edits=tuple(misconception_edit(t, r, right_claims) for t, r in zip(wrong, nearest)),
    )


def misconception_edit(wrong: str, right: str, right_claims: frozenset[str]) -> Edit:
    """How misconception `wrong` edits its nearest right text `right`: the claim stems it adds, those
    it takes away, and those that no right text (`right_claims`) uses."""
    mine, theirs = claim_stems(wrong), claim_stems(right)
    return mine - theirs, theirs - mine, mine - right_claims
