"""Choosing key points among the candidates: near-duplicates merged by meaning (the model), details
nobody asked for dropped, a weight for each (what the intent asks for, capped by what the point adds
to the question), the heaviest kept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rubric.grammar import verb_lemma
from rubric.models import KeyPoint
from rubric.text import STOPWORDS, content_words

if TYPE_CHECKING:
    from rubric.embedder import Embedder
    from rubric.build import Candidate, Source


# Two candidate points this similar say the same thing: the later becomes an alternative phrasing.
DUPLICATE_SIMILARITY = 0.80
# A reference claim this close to something the intent asks for is implied by the intent.
IMPLIED_SIMILARITY = 0.50
# A reference claim farther than this from the question and the intent is off the point.
RELEVANT_SIMILARITY = 0.25
MAX_ALTERNATIVES = 2


@dataclass(slots=True)
class _Point:
    text: str
    source: Source
    order: int
    group: int
    vector: np.ndarray
    key: np.ndarray  # what duplicates are found by: the vector of the claim without an added purpose
    alternatives: list[str] = field(default_factory=list)
    weight: float = 1.0


def select_points(
    question: str,
    candidates: list[Candidate],
    embedder: Embedder,
    max_points: int,
    topics: Sequence[Candidate] = (),
    *,
    topics_as_points: bool = False,
) -> list[KeyPoint]:
    """The key points among `candidates`. A topic among them is left out where a claim already
    covers it, unless `topics_as_points` (no reference answer can fill it): then only a duplicate is."""
    extra = [t for t in topics if t not in candidates]
    cores = [c.core for c in candidates if c.core]
    vectors = embedder.encode([question, *(c.text for c in candidates), *(t.text for t in extra), *cores])
    question_vector = vectors[0]
    n, n_topics = len(candidates), len(extra)
    core_vectors = iter(vectors[n + n_topics + 1 :])
    vectors, topic_vectors = vectors[1 : n + 1], vectors[n + 1 : n + n_topics + 1]
    keys = [next(core_vectors) if c.core else vectors[i] for i, c in enumerate(candidates)]
    asked = np.array([c.source != "reference" for c in candidates], dtype=bool)
    intent_vectors = np.concatenate([vectors[asked], topic_vectors]) if len(topic_vectors) else vectors[asked]
    has_intent = len(intent_vectors) > 0

    points: list[_Point] = []
    # The intent's claims come first, then the reference's, then bare topics.
    rank = {"intent": 0, "reference": 1, "topic": 2}
    for i in sorted(range(len(candidates)), key=lambda i: (rank[candidates[i].source], candidates[i].order)):
        c, v = candidates[i], vectors[i]
        related = float(v @ question_vector)
        if c.source == "reference" and has_intent:
            implied = float((intent_vectors @ v).max())
            if max(related, implied) < RELEVANT_SIMILARITY and points:
                continue  # a detail of the reference that neither the question nor the intent asks for
        duplicate = _most_similar([p for p in points if p.group != c.group], keys[i])
        if duplicate is not None:
            if c.source != "topic" and len(duplicate.alternatives) < MAX_ALTERNATIVES:
                duplicate.alternatives.append(c.text)
            continue
        if c.source == "topic" and not topics_as_points:
            if any(float(p.vector @ v) >= IMPLIED_SIMILARITY for p in points):
                continue  # the topic is already covered by a claim
        points.append(_Point(c.text, c.source, c.order, c.group, v, keys[i]))

    for p in points:
        relevance = _weight(p, question_vector, intent_vectors if has_intent else None)
        p.weight = min(relevance, content_weight(p.text, question))
    points.sort(key=lambda p: (-p.weight, p.order))
    kept = sorted(points[:max_points], key=lambda p: p.order)
    ids = _point_ids([p.text for p in kept])
    return [
        KeyPoint(id=pid, text=p.text, weight=p.weight, alternatives=tuple(p.alternatives))
        for pid, p in zip(ids, kept)
    ]


# Words that say a claim is good news without saying what the news is: "improves performance".
_VAGUE_WORDS = {
    "performance", "accuracy", "accurate", "model", "improve", "improvement", "enhance", "better", "efficient",
    "efficiency", "effective", "effectively", "result", "task", "help", "ensure", "boost", "overall",
    "various", "different", "good", "robust", "robustness", "useful", "powerful", "significant", "significantly",
    "important", "key", "work", "well", "make", "allow", "enable", "lead", "achieve", "provide", "handle",
    "issue", "problem", "way", "thing", "deep", "learning", "neural", "network", "ai", "system", "approach",
    "proper", "right", "maintain", "optimize", "process", "benefit", "quality", "practical", "real-world",
}


def own_words(claim: str, question: str) -> set[str]:
    """The content words a claim adds to its question, without vague praise ('improves
    performance'): what an answer must say beyond echoing the question to match the claim."""
    own = content_words(claim) - content_words(question)
    return {w for w in own if w not in _VAGUE_WORDS and verb_lemma(w) not in _VAGUE_WORDS}


def content_weight(claim: str, question: str) -> float:
    """The most a claim can weigh for what it adds to the question: 1 for at most two words of its
    own, 2 for three, 3 for four or more. The evaluator discounts words that echo the question, so
    a restatement earns a good answer little credit and must not dominate the score."""
    return float(min(3, max(1, len(own_words(claim, question)) - 1)))


def _most_similar(points: list[_Point], vector: np.ndarray) -> _Point | None:
    best, best_similarity = None, DUPLICATE_SIMILARITY
    for p in points:
        similarity = float(p.key @ vector)
        if similarity >= best_similarity:
            best, best_similarity = p, similarity
    return best


def _weight(point: _Point, question_vector: np.ndarray, intent_vectors: np.ndarray | None) -> float:
    """3 for what the intent states, 2 for what it implies or what answers the question head-on, else 1."""
    if point.source == "intent":
        return 3.0
    if point.source == "topic":
        return 2.0
    has_intent = intent_vectors is not None and len(intent_vectors) > 0
    implied = float((intent_vectors @ point.vector).max()) if has_intent else 0.0
    related = float(point.vector @ question_vector)
    if implied >= 0.6 or related >= 0.6:
        return 3.0
    if implied >= IMPLIED_SIMILARITY or related >= 0.45:
        return 2.0
    return 1.0


def _point_ids(texts: list[str]) -> list[str]:
    ids: list[str] = []
    for text in texts:
        words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS]
        base = "-".join(words[:4])[:40].strip("-") or "point"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids
