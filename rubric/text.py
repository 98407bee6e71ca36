"""Text helpers of the rubric builder: cleaning, sentences, content words, naming the subject."""

from __future__ import annotations

import re

from rubric.grammar import AUX, FUNCTION_WORDS, MODALS
from rubric.sentences import split_sentences


_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx)\.", re.I)
# Words that open a subordinate clause, which qualifies a claim and is no claim of its own.
SUBORDINATORS = frozenset(
    {"if", "when", "whenever", "once", "unless", "because", "since", "although", "though", "while", "after",
     "before", "until"}
)
_LEADING_CLAUSE = re.compile(
    rf"^(?P<lead>(?:{'|'.join(sorted(SUBORDINATORS))}|as\s+soon\s+as|as\s+long\s+as)\s[^,]+),"
    r"\s+(?P<main>.+)$",
    re.I,
)


def leading_clause(text: str) -> tuple[str, str] | None:
    """'If the norm is too large, it is rescaled' -> ('If the norm is too large', 'it is rescaled'):
    a subordinate clause that opens the sentence, and the main clause; None if there is none."""
    match = _LEADING_CLAUSE.match(text.strip())
    return (match.group("lead"), match.group("main")) if match else None


def split_into_sentences(text: str) -> list[str]:
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    return [s.text.replace("\x00", ".") for s in split_sentences(protected)]


def lowercase_start(text: str) -> str:
    first = text.split(maxsplit=1)[0] if text else ""
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


def strip_conjunction(text: str) -> str:
    """Without a leading conjunction or linking adverb: 'and X', 'However, X' -> 'X'."""
    return re.sub(
        r"^\s*(?:,\s*)?(?:(?:and|or|but|as\s+well\s+as|then|also|thus|so|ultimately|further)\s+"
        r"|(?:however|moreover|furthermore|additionally|in\s+addition|besides|also|thus|hence),\s+)",
        "", text, flags=re.I,
    ).strip()


STOPWORDS = FUNCTION_WORDS | AUX | MODALS | {"also", "very", "often", "usually", "can", "used", "use"}


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower())
    return {w.rstrip("s") for w in words if w not in STOPWORDS and len(w) > 1}


def mentions(text: str, subject: str) -> bool:
    """Does the text name the subject (all its content words, or its acronym: CNN for
    'convolutional neural network')?"""
    wanted = content_words(bare(subject))
    if not wanted:
        return False
    if wanted <= content_words(text):
        return True
    words = re.findall(r"[A-Za-z]+", bare(subject))
    acronym = "".join(w[0] for w in words).lower()
    return len(words) >= 2 and bool(re.search(rf"\b{acronym}s?\b", text, re.I))


def bare(noun_phrase: str) -> str:
    return re.sub(r"^(?:a|an|the)\s+", "", noun_phrase.strip(), flags=re.I)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def clean_text(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())
