"""Subject-verb agreement for a subject put in a pronoun's place: the number of a noun phrase (from
its parse tags) and the present-tense form of a verb for it."""

from __future__ import annotations

from spacy.tokens import Token

_IRREGULAR = {"be": ("is", "are"), "have": ("has", "have"), "do": ("does", "do")}
_PAST_BE = {"was": "were", "were": "was"}


def phrase_is_plural(head: Token) -> bool:
    """A noun phrase's number from its head: 'RNNs', 'A and B' are plural; 'dropout', 'it' singular."""
    if any(c.dep_ == "conj" for c in head.children):
        return True
    if head.lower_ in ("they", "these", "those", "we", "you"):
        return True
    return head.tag_ in ("NNS", "NNPS")


def agree(lemma: str, plural: bool, form: str | None = None) -> str:
    """The present-tense form of `lemma` for a singular or plural subject ('improve' -> 'improves');
    a past 'was'/'were' keeps its tense; a modal keeps its form."""
    if form and form.lower() in _PAST_BE:
        return form if (form.lower() == "were") == plural else _PAST_BE[form.lower()]
    if form and form.lower() in ("can", "could", "may", "might", "must", "shall", "should", "will", "would"):
        return form
    lemma = lemma.lower()
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma][1 if plural else 0]
    if plural:
        return lemma
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    if len(lemma) > 1 and lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"
