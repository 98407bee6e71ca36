"""Pronoun resolution: a sentence-initial it/they/this/these (and its/their, "these issues") is
replaced by what it stands for, so that each claim names its subject."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rubric.grammar import (
    AUX, FUNCTION_WORDS, MODALS, can_be_noun, can_be_verb, conjugate, find_verb, is_adverb, is_generic,
    is_plural,
)
from rubric.text import bare, capitalise, leading_clause, lowercase_start


_BACK_REFERENCE = re.compile(
    r"\b(?:these|those|such|both)\s+(?:issues|problems|challenges|effects)\b"
    r"|^(?:without|with)\s+(?:them|it)\b",
    re.I,
)


def name_the_subject(claim: str, subject: str | None) -> str:
    """'... help prevent these issues' -> '... help prevent vanishing and exploding gradients', and
    'Without them, ...' -> 'Without activation functions, ...', when the question names the subject."""
    if not subject:
        return claim

    def name(match: re.Match[str]) -> str:
        lead = re.match(r"(?i)(without|with)\s+", match.group(0))
        return f"{lead.group(1)} {bare(subject)}" if lead else bare(subject)

    return _BACK_REFERENCE.sub(name, claim)


_SUBJECT_PRONOUNS = {"it": False, "this": False, "they": True, "these": True, "those": True}


def sentence_subject(sentence: str) -> str | None:
    """The words before the main verb, if they make a plausible noun phrase."""
    words = sentence.split()
    verb = find_verb(words)
    if verb is None or verb == 0:
        return None
    found = subject_words(words, verb)
    if not found or found.lower() in _SUBJECT_PRONOUNS or "," in found or len(found.split()) > 8:
        return None
    return found


def subject_words(words: Sequence[str], verb: int) -> str:
    """The subject before `verb`: without trailing adverbs or a leading phrase set off by a comma."""
    end = verb
    while end > 0 and is_adverb(words[end - 1]):
        end -= 1
    start = 0
    for i in range(end - 1, -1, -1):
        if words[i].endswith(","):
            start = i + 1
            break
    return " ".join(words[start:end]).strip(" ,")


def resolve_pronouns(sentences: Sequence[str], subject: str | None) -> list[str]:
    """Replace a sentence-initial it/they/this/these (and its/their) with what it stands for: the
    paragraph's first subject if the number agrees, else the previous sentence's, else the question's."""
    out = []
    first: str | None = None
    previous: str | None = None
    for sentence in sentences:
        resolved = resolve_sentence(sentence, first, previous or subject, subject)
        out.append(resolved)
        own = sentence_subject(resolved)
        if own:
            previous = own
            if first is None and not is_generic(own):
                first = own
    return out


def resolve_sentence(sentence: str, *antecedents: str | None) -> str:
    words = sentence.split()
    if len(words) < 2:
        return sentence
    lead = re.match(r"^([^,]{3,60}),\s+(?=(?:it|they)\s)", sentence, re.I)
    if lead:  # "Common in NLP tasks, it is ...", "When a model overfits, it ..." (the model)
        condition = leading_clause(sentence)
        if condition:  # the pronoun most likely stands for the condition's subject: that or nothing
            own = sentence_subject(condition[0].split(maxsplit=1)[1])
            if own is None:
                return sentence
            antecedents = (own, *antecedents)
        return f"{lead.group(1)}, {lowercase_start(resolve_sentence(sentence[lead.end():], *antecedents))}"
    first = words[0].lower().strip(",")
    if first in ("its", "their"):
        antecedent = _agreeing(first == "their", antecedents)
        return f"{_possessive(antecedent)} {' '.join(words[1:])}" if antecedent else sentence
    if first not in _SUBJECT_PRONOUNS:
        return sentence
    rest = words[1:]
    if not _pronoun_is_subject(words):
        # "These approaches keep ...": a determiner; replace it and a generic noun after it.
        if len(words) < 3 or not is_generic(words[1]) or not can_be_verb(words[2]):
            return sentence
        rest = words[2:]
    if first == "this":  # stands for the whole previous statement: take its topic, any number
        antecedent = next((a for a in antecedents if a and a.lower() not in _SUBJECT_PRONOUNS), None)
    else:
        antecedent = _agreeing(_SUBJECT_PRONOUNS[first], antecedents)
    if antecedent is None:
        return sentence
    rest = [conjugate(rest[0], is_plural(antecedent)), *rest[1:]]
    return " ".join([capitalise(antecedent), *rest])


def _pronoun_is_subject(words: Sequence[str]) -> bool:
    if words[0].lower() in ("it", "they"):
        return True
    second = words[1].lower().strip(",")
    if second in AUX or second in MODALS or is_adverb(second):
        return True
    if not can_be_verb(second) or second.endswith(("ing", "ed")):
        return False
    if can_be_noun(second) and len(words) > 2:
        third = words[2].lower().strip(",")
        return not (can_be_verb(third) and not third.endswith(("ing", "ed")) and third not in FUNCTION_WORDS)
    return True


def _agreeing(plural: bool, antecedents: Sequence[str | None]) -> str | None:
    known = [a for a in antecedents if a and a.lower() not in _SUBJECT_PRONOUNS]
    for candidate in known:
        if is_plural(candidate) == plural:
            return candidate
    if plural and known and re.fullmatch(r"(?:(?:a|an)\s+)?[\w-]+(?:\s+[\w-]+){0,3}", known[-1]):
        return _pluralise(known[-1])  # "they" for "a neural network": neural networks
    return None


def _pluralise(noun_phrase: str) -> str:
    words = bare(noun_phrase).split()
    last = words[-1]
    if re.fullmatch(r"[A-Z0-9]+", last):
        words[-1] = last + "s"
    else:
        ending = "es" if last.endswith(("s", "x", "ch", "sh")) else "s"
        words[-1] = re.sub(r"(?<=[^aeiou])y$", "ie", last) + ending
    return " ".join(words)


def _possessive(noun: str) -> str:
    noun = bare(noun)
    return f"{noun}'" if noun.endswith("s") else f"{noun}'s"


def resolve_possessives(text: str, subject: str | None) -> str:
    if not subject:
        return text
    return re.sub(r"\b(its|their)\s+", lambda m: _possessive(subject) + " ", text, flags=re.I)
