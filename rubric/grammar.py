"""English word classes for the rubric builder: a verb finder, agreement and noun-phrase heads,
by rules over lemminflect's word lexicon (no parser, no network)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


SPLIT_HEADS = {
    "technique", "method", "strategy", "approach", "defense", "defence", "solution", "step",
    "way", "measure", "remedy", "trick", "fix", "option", "practice", "mechanism",
}
GENERIC_HEADS = SPLIT_HEADS | {"application", "variant", "example", "use", "type", "kind", "tool", "task"}
AUX = {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did", "be", "been"}
MODALS = {"can", "could", "may", "might", "must", "shall", "should", "will", "would"}
DETERMINERS = {
    "a", "an", "the", "this", "that", "these", "those", "each", "every", "its", "their", "his", "her",
    "our", "your", "my", "some", "any", "no", "all", "both", "many", "more", "most", "several",
    "one", "two", "three", "few", "fewer", "less", "much", "such", "other", "another",
}
PRONOUNS = {"it", "they", "them", "we", "you", "he", "she", "itself", "themselves"}
PREPOSITIONS = {
    "of", "in", "on", "at", "by", "for", "with", "from", "to", "into", "onto", "over", "under",
    "like", "via", "through", "between", "among", "across", "about", "as", "per", "than", "without",
    "within", "during", "after", "before", "toward", "towards", "against", "using", "including",
}
FUNCTION_WORDS = DETERMINERS | PRONOUNS | PREPOSITIONS | {
    "and", "or", "but", "not", "to", "which", "that", "who", "how", "why",
}


@lru_cache(maxsize=8192)
def word_tags(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word.lower().strip(",.;:()")))


def can_be_verb(word: str) -> bool:
    return "VERB" in word_tags(word) or word.lower() in AUX


def can_be_noun(word: str) -> bool:
    return "NOUN" in word_tags(word)


def can_be_verb_only(word: str) -> bool:
    tags = word_tags(word)
    return "VERB" in tags and not tags & {"NOUN", "ADJ", "ADV", "PROPN"}


def is_adjective_only(word: str) -> bool:
    return word_tags(word) == frozenset({"ADJ"})


def is_adverb(word: str) -> bool:
    w = word.lower().strip(",")
    tags = word_tags(w)
    return "ADV" in tags and "VERB" not in tags and "NOUN" not in tags and w not in FUNCTION_WORDS


def find_verb(words: Sequence[str], start: int = 1) -> int | None:
    """Index of the main (finite, present-tense) verb of a clause, or None. Heuristic, over the
    lexicon's possible parts of speech; `start=0` lets the first word be an imperative verb."""
    lowered = [w.lower().strip(",;:()\"'") for w in words]
    for i in range(start, len(lowered)):
        w = lowered[i]
        back = i - 1
        while back > 0 and is_adverb(lowered[back]):
            back -= 1  # "dropout randomly switches": look past the adverb
        prev = lowered[back] if i else ""
        nxt = lowered[i + 1] if i + 1 < len(lowered) else ""
        if w in AUX or w in MODALS:
            return i
        if not w or w in FUNCTION_WORDS or not can_be_verb(w) or is_participle_form(w):
            continue
        if i == 0:
            if verb_lemma(w) == w and not can_be_verb_only(nxt) and not has_own_subject(words):
                return 0
            continue
        if prev in ("they", "we", "you", "i"):
            return i if not w.endswith("s") else None
        if prev in DETERMINERS or prev in PREPOSITIONS or is_adjective_only(prev) or prev == "to":
            continue
        if can_be_verb_only(w):
            return i
        # A word that is a noun too: "uses", "process", "functions", "help".
        plural_noun = w.endswith("s") and not w.endswith("ss") and can_be_noun(w)
        if plural_noun and nxt and (is_finite_only(nxt) or nxt in AUX or nxt in MODALS):
            continue  # "loss functions quantify": the noun, then the verb
        if w.endswith("s") and not w.endswith("ss"):
            if nxt in ("of", "like", "such", "to"):
                continue
            if nxt and can_be_verb(nxt) and verb_lemma(nxt) == nxt and can_be_noun(nxt) and plural_noun:
                continue  # "networks use"
            if _can_end_noun_phrase(prev):
                return i
        elif is_plural(prev):
            return i
    return None


def is_participle_form(word: str) -> bool:
    """-ing, or a past form ('designed', 'hidden'): not a finite present-tense verb here."""
    if word.endswith("ing"):
        return True
    return not word.endswith("s") and verb_lemma(word) != word and word not in AUX


def is_finite_only(word: str) -> bool:
    return can_be_verb_only(word) and not is_participle_form(word)


def has_own_subject(words: Sequence[str]) -> bool:
    """'Transfer learning uses ...': a later verb agrees with the first words as its subject, so
    the first word is not an imperative."""
    later = find_verb(words, start=1)
    if later is None:
        return False
    before = " ".join(words[:later])
    verb = words[later].lower().strip(",")
    return "," not in before and (verb.endswith("s") or verb in AUX or verb in MODALS)


def _can_end_noun_phrase(word: str) -> bool:
    if not word or word in FUNCTION_WORDS:
        return False
    tags = word_tags(word)
    return not tags or "NOUN" in tags or "PROPN" in tags or word.endswith("s") or "-" in word


@lru_cache(maxsize=4096)
def verb_lemma(word: str) -> str:
    from lemminflect import getLemma

    w = word.lower()
    irregular = {"is": "be", "are": "be", "was": "be", "were": "be", "has": "have", "does": "do"}
    if w in irregular:
        return irregular[w]
    found = getLemma(w, upos="VERB")
    return found[0] if found else w


def conjugate(word: str, plural: bool) -> str:
    """The present-tense form of a verb (or participle) for a singular or plural subject."""
    w = word.lower()
    if w in MODALS:
        return word
    swaps = {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has",
             "does": "do", "do": "does"}
    if w in swaps:
        wanted = {"is", "was", "has", "does"} if not plural else {"are", "were", "have", "do"}
        return w if w in wanted else swaps[w]
    if not can_be_verb(w):
        return word
    lemma = verb_lemma(w)
    if plural:
        return lemma
    from lemminflect import getInflection

    forms = getInflection(lemma, tag="VBZ")
    return forms[0] if forms else word


_PLURAL_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z0-9]s$")


def is_plural(noun_phrase: str) -> bool:
    text = noun_phrase.strip()
    if re.search(r"\s(?:and)\s", text):
        return True
    head = _head_word(text)
    if not head:
        return False
    if head.lower() in ("they", "these", "those", "we", "you", "data"):
        return True
    if _PLURAL_ACRONYM.match(head):
        return True
    h = head.lower()
    return h.endswith("s") and not h.endswith(("ss", "us", "is", "ics", "sis")) and len(h) > 3


def _head_word(noun_phrase: str) -> str:
    words = re.sub(r"\([^)]*\)", "", noun_phrase).split()
    kept = []
    for w in words:
        if w.lower().strip(",") in PREPOSITIONS or w.lower() in ("that", "which", "who", "such"):
            break
        kept.append(w.strip(",;:"))
    return kept[-1] if kept else ""


def head_noun(noun_phrase: str) -> str:
    head = _head_word(noun_phrase).lower()
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("ses", "s"), ("s", "")):
        if head.endswith(suffix) and len(head) > 3:
            return head[: -len(suffix)] + replacement
    return head


def is_generic(noun_phrase: str) -> bool:
    return head_noun(noun_phrase) in GENERIC_HEADS
