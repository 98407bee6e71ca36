"""Text helpers of the rubric builder: cleaning, sentences, content words."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from rubric.sentences import split_sentences

_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx)\.", re.I)
STOPWORDS = frozenset(STOP_WORDS) | {"also", "very", "often", "usually", "used", "use"}


def split_into_sentences(text: str) -> list[str]:
    """Sentences and list items; a semicolon ends a statement too."""
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    out = []
    for segment in split_sentences(protected):
        for part in re.split(r"\s*;\s+", segment.text.replace("\x00", ".")):
            if any(ch.isalnum() for ch in part):
                out.append(part.strip())
    return out


def lowercase_start(text: str) -> str:
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return text if first[1:2].isupper() or first[:1].isdigit() else text[:1].lower() + text[1:]


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
