"""Choosing key points among the candidates: duplicates merged (same words, or the same meaning by
the model) into alternative phrasings, details nobody asked for dropped, a weight for each (what the
question asks first and what the intent stresses, capped by what the point adds to the question), the
heaviest kept, each with a readable unique id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rubric.models import KeyPoint
from rubric.text import STOPWORDS, content_words

if TYPE_CHECKING:
    from rubric.build import Candidate, Source
    from rubric.embedder import Embedder


# Two candidate points this similar say the same thing: the later becomes an alternative phrasing.
DUPLICATE_SIMILARITY = 0.80
# A reference claim this close to something the intent asks for is implied by the intent.
IMPLIED_SIMILARITY = 0.50
# A reference claim farther than this from the question and the intent is off the point.
RELEVANT_SIMILARITY = 0.25
MAX_ALTERNATIVES = 2
# A point answers a later ask of the question only if it is this much closer to it than to the first.
ASK_MARGIN = 0.05


@dataclass(slots=True)
class _Point:
    text: str
    source: Source
    order: int
    group: int
    vector: np.ndarray
    key: np.ndarray  # what duplicates are found by: the vector of the claim without an added purpose
    words: frozenset[str]
    stressed: bool = False
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
    subject: str | None = None,
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
        words = frozenset(content_words(c.core or c.text))
        duplicate = next((p for p in points if p.words == words), None) or _most_similar(
            [p for p in points if p.group != c.group], keys[i]
        )
        if duplicate is not None:
            if c.source != "topic" and len(duplicate.alternatives) < MAX_ALTERNATIVES:
                duplicate.alternatives.append(c.text)
            continue
        if c.source == "topic" and not topics_as_points:
            if any(float(p.vector @ v) >= IMPLIED_SIMILARITY for p in points):
                continue  # the topic is already covered by a claim
        point = _Point(c.text, c.source, c.order, c.group, v, keys[i], words, c.stressed)
        point.alternatives.extend(t for t in c.phrasings[:MAX_ALTERNATIVES])
        points.append(point)

    asks = question_asks(question, subject)
    ask_vectors = embedder.encode(asks) if len(asks) > 1 else question_vector[None, :]
    for p in points:
        similarities = ask_vectors @ p.vector
        best_ask = int(np.argmax(similarities))
        if similarities[best_ask] - similarities[0] < ASK_MARGIN:
            best_ask = 0  # about as close to the first ask: it answers that
        related = max(float(p.vector @ question_vector), float(similarities[best_ask]))
        relevance = _weight(p, related, intent_vectors if has_intent else None)
        # a claim the intent stresses weighs the most; what the question asks first more than what it asks after
        capped = relevance if p.stressed else min(relevance, content_weight(p.text, question))
        p.weight = max(1.0, capped - 0.5 * min(best_ask, 2))
    points.sort(key=lambda p: (-p.weight, p.order))
    kept = sorted(points[:max_points], key=lambda p: p.order)
    ids = _point_ids([p.text for p in kept])
    return [
        KeyPoint(id=pid, text=p.text, weight=p.weight, alternatives=tuple(p.alternatives[:MAX_ALTERNATIVES]))
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
    return {w for w in own if w not in _VAGUE_WORDS and w.removesuffix("d") not in _VAGUE_WORDS}


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


def _weight(point: _Point, related: float, intent_vectors: np.ndarray | None) -> float:
    """What the intent states weighs most (3 where it stresses the claim or the claim answers the
    question head-on, else 2.5); a topic 2; a reference claim 3, 2 or 1 by how closely it answers
    the question or what the intent asks."""
    if point.source == "intent":
        return 3.0 if point.stressed or related >= 0.6 else 2.5
    if point.source == "topic":
        return 2.0
    has_intent = intent_vectors is not None and len(intent_vectors) > 0
    implied = float((intent_vectors @ point.vector).max()) if has_intent else 0.0
    if implied >= 0.6 or related >= 0.6:
        return 3.0
    if implied >= IMPLIED_SIMILARITY or related >= 0.45:
        return 2.0
    return 1.0


_ASK_BREAK = re.compile(
    r"\?\s+|;\s+|,?\s+(?:and|or)\s+(?=(?:why|how|what|when|which|where|whether|its|their|in\s+what)\b)", re.I
)


def question_asks(question: str, subject: str | None = None) -> list[str]:
    """The questions a question asks, in order, a pronoun named: 'What is X, and why does it matter?'
    -> ['What is X', 'why does X matter']."""
    asks = [a.strip(" ,.?") for a in _ASK_BREAK.split(question) if re.search(r"[A-Za-z0-9]", a)]
    if subject:
        asks = [re.sub(r"\b(?:it|they|them)\b", subject, a, flags=re.I) for a in asks]
    return asks


_NEGATIONS = {"not", "no", "never", "without", "cannot"}


def _point_ids(texts: list[str]) -> list[str]:
    """Readable, unique ids from each point's own words, whole words only: 'Do not index small
    tables.' -> 'not-index-small-tables'."""
    ids: list[str] = []
    for text in texts:
        words = [
            w for w in re.findall(r"[a-z0-9]+", text.lower().replace("n't", " not"))
            if w in _NEGATIONS or (w not in STOPWORDS and len(w) > 1)
        ] or ["point"]
        base = _join_words(words, 5)
        candidate, extra = base, 5
        while candidate in ids and extra < len(words):
            extra += 1
            candidate = _join_words(words, extra)
        n = 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def _join_words(words: list[str], count: int, limit: int = 60) -> str:
    out = ""
    for word in words[:count]:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out or words[0][:limit]


def slug(text: str, max_length: int = 48) -> str:
    """A question id from its text: 'What is dropout?' -> 'what-is-dropout'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > max_length:
            break
        out = f"{out}-{word}" if out else word
    return out or "question"
