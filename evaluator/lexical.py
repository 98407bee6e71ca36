"""Word-level signals beside the embedding: content stems, question demoting, claim-likeness.

Question demoting (a standard trick of short-answer grading) removes from a text the words it
shares with the question, so an answer earns nothing for echoing the question back.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    """a an the of to in on for and or but is are was were be been being it its it's this that these
    those with as by at from into onto than then so such can could will would should may might must
    do does did doing has have had having not no nor what which who whom how why when where there
    their theirs they them we you your our i me my he she his her also more most very just only
    about over under between each other some any all both either neither if while whereas because
    though although also too up down out off again further once here s t don't doesn't isn't aren't
    wasn't weren't can't cannot won't""".split()
)

# Stopwords that can carry a claim: a misconception often differs from the truth by one of them.
POLARITY_WORDS = frozenset(
    """not no nor never cannot nothing none without more most only all each both some any over under
    up down""".split()
)
EDIT_SHARE = 1 / 3  # of the words an edit adds, the share a text must use to make it

_per_thread = threading.local()


def words(text: str) -> list[str]:
    """Lower-case word tokens."""
    return _WORD.findall(text.lower())


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """The `words` of `text`, each with its character span."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.lower())]


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem; one stemmer per thread, as a stemmer keeps its word in itself."""
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def content_stems(text: str, drop: frozenset[str] = frozenset()) -> frozenset[str]:
    """Stems of the text's non-stopwords, without those in `drop`."""
    return frozenset(s for w in words(text) if w not in STOPWORDS and (s := stem(w)) not in drop)


def claim_stems(text: str) -> frozenset[str]:
    """Stems of the text's non-stopwords and POLARITY_WORDS."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS or w in POLARITY_WORDS)


def makes_edit(
    added: frozenset[str], removed: frozenset[str], novel: frozenset[str], stems: frozenset[str]
) -> bool:
    """Does a text with these claim stems make the edit that adds the stems `added` to a right
    statement and takes `removed` away: it uses at least EDIT_SHARE of `added` (one at the least),
    every polarity word among them ("not", "only" ...), one of the `novel` stems that no right text
    uses (so swapping the roles of right words is not taken for the edit), and none of `removed`."""
    return (
        bool(added)
        and len(added & stems) >= max(1.0, EDIT_SHARE * len(added))
        and added & _polarity_stems() <= stems
        and bool(novel & stems)
        and not removed & stems
    )


@lru_cache(maxsize=1)
def _polarity_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in POLARITY_WORDS)


def question_stems(question_text: str) -> frozenset[str]:
    """The content stems of a question: what an answer gets no credit for repeating."""
    return content_stems(question_text)


def demote(text: str, drop: frozenset[str]) -> str:
    """The text without the words whose stems are in `drop`; the text itself when no word goes,
    or when no content word would be left."""
    tokens = words(text)
    kept = [w for w in tokens if w in STOPWORDS or stem(w) not in drop]
    if len(kept) == len(tokens) or not any(w not in STOPWORDS for w in kept):
        return text
    return " ".join(kept)


def overlap(point_stems: frozenset[str], answer_stems: frozenset[str]) -> float:
    """Share of a key point's content stems that the answer uses."""
    return len(point_stems & answer_stems) / len(point_stems) if point_stems else 0.0


def function_word_ratio(text: str) -> float:
    """Share of tokens that are function words: near 0 for a bare list of terms, ~0.4 in prose."""
    tokens = words(text)
    return sum(t in STOPWORDS for t in tokens) / len(tokens) if tokens else 0.0
