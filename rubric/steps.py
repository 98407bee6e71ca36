"""Imperative steps ('Use A, B, or C to reduce X'): each step carries the purpose its sentence
states, else the question's goal."""

from __future__ import annotations

import re

from rubric.grammar import AUX, MODALS, can_be_verb, has_own_subject, verb_lemma, word_tags


_PURPOSE = re.compile(r"\s+(?:(?:in\s+order\s+)?to|so\s+(?:that|as\s+to))\s+(?P<verb>[\w-]+)\b.*$", re.I)


def _purpose(claim: str) -> str | None:
    """The purpose clause a claim ends with ('... to reduce inference time'), or None."""
    for match in _PURPOSE.finditer(claim):
        verb = match.group("verb").lower()
        if verb.startswith("that") or verb in ("as",) or (can_be_verb(verb) and verb_lemma(verb) == verb):
            return match.group(0).strip()
    return None


def with_purpose(claims: list[str], goal: str | None) -> list[str]:
    """Steps of one sentence ('Use A, B, or C to reduce X') each carry the purpose the sentence
    states, else the question's goal: 'Use pruning.' alone says too little to check."""
    steps = [_is_step(c) for c in claims]
    if not any(steps):
        return claims
    shared = _purpose(claims[-1]) if steps[-1] else None
    if shared:  # the purpose, without its hedges: "to reduce X (without significant loss)"
        shared = re.split(r"\s+(?:without|while|whilst)\s+|,", shared, maxsplit=1)[0]
    out = []
    for claim, step in zip(claims, steps):
        purpose = None if not step or _purpose(claim) else shared or goal
        if purpose and purpose == goal and claim.split()[0].lower() in goal.lower().split():
            purpose = None  # "Deploy on cloud ... to deploy a model": says nothing more
        out.append(f"{claim.rstrip(' .;:')} {purpose}" if purpose else claim)
    return out


def _is_step(claim: str) -> bool:
    """An imperative: 'Use pruning', 'Reduce batch size' (not 'Batch size is ...')."""
    words = claim.split()
    first = words[0].lower() if words else ""
    verb = can_be_verb(first) or (not word_tags(first) and re.search(r"(?:ize|ise|ify)$", first) is not None)
    return verb and verb_lemma(first) == first and first not in AUX | MODALS and not has_own_subject(words)
