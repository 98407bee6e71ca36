"""Claim splitting: one sentence -> atomic claims, each with its subject spelled out.

Coordinated predicates, clause lists and lists of measures are split; contrasts ("unlike Y, which
...", "whereas") and effects (", which reduces B") become claims of their own; examples named in a
subject ("techniques like A, B and C") become claims about each example."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rubric.grammar import (
    AUX, DETERMINERS, FUNCTION_WORDS, GENERIC_HEADS, MODALS, PREPOSITIONS, PRONOUNS, SPLIT_HEADS, can_be_noun,
    can_be_verb, can_be_verb_only, conjugate, find_verb, head_noun, is_adjective_only, is_adverb,
    is_finite_only, is_participle_form, is_plural, verb_lemma, word_tags,
)
from rubric.pronouns import resolve_sentence, sentence_subject, subject_words
from rubric.text import (
    SUBORDINATORS, bare, capitalise, leading_clause, lowercase_start, mentions, strip_conjunction,
)


_CONTRAST = re.compile(
    r",?\s+unlike\s+(?P<other>[^,]+?),?\s+(?:which|that|who)\s+(?P<rest>.+)$"
    r"|,?\s+whereas\s+(?P<second>.+)$|,\s+while\s+(?P<fifth>.+)$"
    r"|;\s*(?P<third>.+)$"
    r"|,\s+but\s+(?P<fourth>.+)$",
    re.I,
)
_EFFECT = re.compile(r",\s+which\s+(?:(?:also|in\s+turn|then)\s+)?(?P<verb>[a-z]+s)\s+(?P<rest>.+)$", re.I)
_EFFECT_VERBS = {
    "reduce", "help", "improve", "prevent", "allow", "enable", "lead", "cause", "make", "increase",
    "decrease", "speed", "stabilize", "stabilise", "avoid", "let", "ensure", "result", "mitigate",
    "lower", "boost", "accelerate", "limit", "keep", "force", "encourage", "regularize", "regularise",
}


def _split_effect(clause: str) -> list[str]:
    """'X does A, which reduces B' -> ['X does A', 'X reduces B']: the effect is a claim of its own."""
    match = _EFFECT.search(clause)
    if not match or verb_lemma(match.group("verb").lower()) not in _EFFECT_VERBS:
        return [clause]
    first = clause[: match.start()].strip(" ,")
    subject = sentence_subject(first)
    if not subject:
        return [clause]
    verb = conjugate(match.group("verb"), is_plural(subject))
    return [first, f"{subject} {verb} {match.group('rest')}"]


def split_contrast(clause: str) -> list[str]:
    """'X does A, unlike Y which relies on B' -> ['X does A', 'Y relies on B'] (and whereas/while),
    and 'X does A, which reduces B' -> ['X does A', 'X reduces B']."""
    effect = _split_effect(clause)
    if len(effect) > 1:
        return [*split_contrast(effect[0]), *effect[1:]]
    match = _CONTRAST.search(clause)
    if not match or match.start() == 0:
        return [clause]
    first = clause[: match.start()].strip(" ,")
    if match.group("other"):
        second = f"{match.group('other')} {match.group('rest')}"
    else:
        second = match.group("second") or match.group("third") or match.group("fourth") or match.group("fifth")
        verb = find_verb(second.split())
        if verb is None or verb == len(second.split()) - 1:
            return [clause]  # "while training", "but poorly on unseen data": not a clause
    return [*split_contrast(first), *split_contrast(second.strip())]


_GENERIC_MODIFIERS = {
    "common", "other", "key", "main", "typical", "popular", "prevention", "several", "various",
    "some", "many", "practical", "useful", "important", "these", "such", "both", "the", "standard",
    "major", "possible", "real-world", "regularization", "optimization", "mitigation",
}
_LIST_VERBS = {"include", "involve", "comprise", "be", "cover", "encompass", "span"}
_SEPARATOR = re.compile(r"\s*;\s*|,\s+(?:and|or|as\s+well\s+as)\s+|,\s+|\s+(?:and|or)\s+", re.I)
# Words that open a relative clause or a modifier after a comma: part of the claim before them.
_QUALIFIER_LEADS = {
    "which", "who", "whose", "whom", "where", "including", "excluding", "especially", "particularly",
    "notably", "namely",
}
_GAP = re.compile(r"^(?P<np>[^,]+?)\s+(?P<prep>for|in|on|to|with|by)\s+(?P<rest>.+)$", re.I)


@dataclass(slots=True)
class _Piece:
    kind: str  # main, vp, clause, item (an imperative list item), gap (a gapped clause)
    text: str

    @property
    def verb(self) -> str:
        words = self.text.split()
        lead = 0
        while lead < len(words) - 1 and is_adverb(words[lead]):
            lead += 1
        return words[lead].lower() if words else ""


def split_claim(clause: str, subject: str | None = None, imperative: bool = False) -> list[str]:
    """One sentence or clause -> atomic claims, each with its subject spelled out."""
    clause = clause.strip().rstrip(".;: ")
    condition = leading_clause(clause)
    if condition:  # the condition holds for every claim of the main clause
        lead, main = condition
        claims = split_claim(main, subject, imperative)
        # the main clause keeps its own casing ("B and C are ..."); a subject put in its place is lowered
        return [f"{lead}, {c if c.split()[0] == main.split()[0] else lowercase_start(c)}" for c in claims]
    words = clause.split()
    if not words:
        return []
    verb = find_verb(words, start=0 if imperative else 1)
    if verb is None:
        return [clause]
    claim_subject = subject_words(words, verb)
    lead = " ".join(words[:verb])  # the subject with any adverbs before the verb
    plural = is_plural(claim_subject) if claim_subject else True
    chunks = _split_top_level(" ".join(words[verb:]), _SEPARATOR)
    pieces = [_Piece("main", chunks[0][1])]
    for separator, chunk in chunks[1:]:
        kind = _chunk_kind(chunk, separator, pieces, verb == 0)
        if kind == "np":
            pieces[-1].text += separator + chunk
        else:
            pieces.append(_Piece(kind, strip_conjunction(chunk)))
    out: list[str] = []
    for piece in pieces:
        if piece.kind == "main":
            out.append(f"{lead} {piece.text}".strip())
        elif piece.kind == "clause":
            out.extend(split_claim(resolve_sentence(piece.text, claim_subject, subject), subject, imperative))
        elif piece.kind == "vp":
            out.append(_join(claim_subject, _predicate(piece.text, plural)))
        elif piece.kind == "item":
            out.append(f"{_imperative_verb(pieces, piece)} {piece.text}")
        elif piece.kind == "gap":
            out.append(_ungap(pieces[0].text, piece.text, claim_subject))
    out = [item for claim in out for item in _split_object_list(claim, imperative)]
    out = [item for claim in out for item in _split_examples(claim)]
    return [_qualify(c, subject) for c in out]


def _chunk_kind(chunk: str, separator: str, pieces: list[_Piece], imperative: bool) -> str:
    """How a chunk after the first relates to the claim: 'vp' (another predicate of the same
    subject), 'clause' (its own subject and verb), 'item'/'gap' (see _Piece), or 'np' (part of
    the previous chunk)."""
    words = strip_conjunction(chunk).split()
    if not words or (len(pieces) == 1 and len(pieces[0].text.split()) == 1):
        return "np"  # "stabilizes and accelerates training": one shared object
    comma = "," in separator or ";" in separator
    lead = 0
    while lead < len(words) - 1 and is_adverb(words[lead]):
        lead += 1
    first = words[lead].lower().strip(",")
    if comma and (first in SUBORDINATORS or first in _QUALIFIER_LEADS):
        return "np"  # "..., because B", "..., which B", "..., including B": they qualify what comes before
    last_verb = next(p.verb for p in reversed(pieces) if p.kind in ("main", "vp"))
    own_verb = find_verb(words, start=1)
    gerund_subject = words[0].lower().endswith("ing")
    has_clause = (
        comma
        and own_verb is not None
        and own_verb < len(words) - 1
        and (
            words[0].lower() not in FUNCTION_WORDS - {"it", "they", "this", "these"}
            or _coordinated_clause(words, separator)
        )
        and (not can_be_verb_only(words[0]) or gerund_subject)
        and (not gerund_subject or is_finite_only(words[own_verb]))
    )
    if first.endswith("ing") and can_be_verb(first) and not has_clause and len(words) > lead + 1:
        if comma:
            return "vp" if _is_participle(words, lead, pieces) else "np"
        previous_word = pieces[-1].text.split()[-1].lower()
        if last_verb.endswith("ing") and last_verb != pieces[0].verb and not previous_word.endswith("ing"):
            return "vp"  # "..., forcing A and preventing B"
        return "np"
    if imperative:
        if comma and can_be_verb(first) and verb_lemma(first) == first and len(words) > 1:
            nxt = words[1].lower()
            if not can_be_noun(first) or can_be_verb_only(first) or nxt in DETERMINERS or nxt in PRONOUNS \
                    or nxt in PREPOSITIONS or is_adjective_only(nxt) or is_adverb(nxt) or "-" in nxt:
                return "vp"
        if comma and not word_tags(first) and len(words) > 1 and words[1].lower() in PREPOSITIONS:
            return "vp"  # "containerize with Docker": a verb the lexicon does not know
        return "item" if comma and len(pieces[0].text.split()) > 1 else "np"
    lenient = comma and bool(re.search(r"\b(?:and|or)\b", separator, re.I))
    if len(words) - lead >= 2 and _continues_predicate(words[lead:], last_verb, comma, lenient):
        return "vp"
    if has_clause:
        return "clause"
    gap_item, gap_main = _GAP.match(" ".join(words)), _GAP.match(pieces[0].text)
    if comma and gap_item and gap_main and find_verb(words, start=1) is None:
        if gap_main.group("prep").lower() == gap_item.group("prep").lower():
            return "gap"
    return "np"


def _coordinated_clause(words: list[str], separator: str) -> bool:
    """', and the scores are averaged': a clause of its own with a determiner-led subject."""
    return bool(re.search(r"\b(?:and|but)\b", separator, re.I)) and words[0].lower() in DETERMINERS


def _is_participle(words: list[str], lead: int, pieces: list[_Piece]) -> bool:
    """', improving convergence' (a participle clause) versus ', pooling layers to ...' (a list
    item parallel to the object) and 'include oversampling A, using B' (gerund objects)."""
    head = pieces[0].verb
    if verb_lemma(head) in _LIST_VERBS - {"be"} or _starts_with_gerund(pieces[0].text.split()[1:]):
        return False
    following = words[lead + 1].lower().strip(",").rstrip("s")
    main_object = pieces[0].text.split(maxsplit=1)[-1].lower()
    shared = {w.rstrip("s") for w in re.findall(r"[a-z-]+", main_object)}
    return following in FUNCTION_WORDS or following not in shared


def _continues_predicate(words: list[str], last_verb: str, comma: bool, lenient: bool) -> bool:
    """Does this chunk start a predicate parallel to the last one ('... and helps B')?"""
    first = words[0].lower().strip(",")
    nxt = words[1].lower().strip(",")
    if first in AUX or first in MODALS:
        return last_verb in AUX or last_verb in MODALS or _same_form(first, last_verb)
    if not can_be_verb(first) or is_participle_form(first):
        return False
    if comma and can_be_verb_only(first):
        return True  # "..., enables B": a verb whatever its number
    if not _same_form(first, last_verb) and last_verb not in MODALS:
        return False
    if can_be_noun(first) and not (lenient and first.endswith("s")):
        return (
            nxt in DETERMINERS
            or nxt in PRONOUNS
            or is_adjective_only(nxt)
            or is_adverb(nxt)
            or nxt in ("to", "in", "on", "from", "with")
        )
    return True


def _predicate(text: str, plural: bool) -> str:
    """A predicate for the claim's subject: 'improving A' -> 'improves A'; 'making them suitable
    for A' -> 'are suitable for A'."""
    made = re.match(r"^making\s+(?:it|them)\s+(.+)$", text, re.I)
    if made:
        return f"{'are' if plural else 'is'} {made.group(1)}"
    return _conjugate_phrase(text, plural)


def _same_form(word: str, head: str) -> bool:
    def form(w: str) -> str:
        if w.endswith("ing"):
            return "ing"
        if w in ("is", "was", "has", "does") or (w.endswith("s") and not w.endswith("ss")):
            return "vbz"
        return "base"

    return form(word) == form(head)


def _imperative_verb(pieces: list[_Piece], piece: _Piece) -> str:
    """The verb an imperative list item goes with: 'Use A, B, reduce C, or D' -> 'Use D'."""
    verbs = [p.text.split()[0] for p in pieces[: pieces.index(piece)] if p.kind in ("main", "vp")]
    general = [v for v in verbs if v.lower() in ("use", "apply", "try", "add", "employ", "adopt")]
    return capitalise((general or verbs)[-1 if not general else 0].lower())


def _ungap(main: str, chunk: str, subject: str) -> str:
    """'[X] is used for A, [Y] for B' -> 'Y is used for B'."""
    gap, item = _GAP.match(main), _GAP.match(chunk)
    assert gap is not None and item is not None
    return f"{item.group('np')} {gap.group('np')} {item.group('prep')} {item.group('rest')}"


def _split_top_level(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """(separator, piece) pairs of `text` split at `pattern`, never inside brackets."""
    depth = 0
    mask = []
    for ch in text:
        depth += ch in "([{"
        mask.append("x" if depth > 0 else ch)
        depth -= ch in ")]}"
        depth = max(depth, 0)
    masked = "".join(mask)
    pieces: list[tuple[str, str]] = []
    position, separator = 0, ""
    for match in pattern.finditer(masked):
        if match.start() == 0 or match.end() == len(text):
            continue
        pieces.append((separator, text[position : match.start()]))
        separator, position = text[match.start() : match.end()], match.end()
    pieces.append((separator, text[position:]))
    return [(s, t) for s, t in pieces if t.strip()] or [("", text)]


def _split_object_list(claim: str, imperative: bool) -> list[str]:
    """'Techniques include A, B, and C' -> one claim per item when the items are separate measures
    (or groups split by ';'); lists of examples stay together."""
    words = claim.split()
    verb = find_verb(words, start=0 if imperative else 1)
    if verb is None or verb + 1 >= len(words):
        return [claim]
    lemma = verb_lemma(words[verb].lower())
    if lemma not in _LIST_VERBS:
        return [claim]
    obj = " ".join(words[verb + 1 :])
    groups = _split_top_level(obj, re.compile(r"\s*;\s*(?:and\s+|or\s+)?"))
    if len(groups) > 1:
        items = [text for _, text in groups]
    elif head_noun(" ".join(words[:verb])) in SPLIT_HEADS:
        items = split_list(obj)
    else:
        return [claim]
    if len(items) < 2:
        return [claim]
    lead = " ".join(words[: verb + 1])
    return [f"{lead} {item}" for item in items]


_EXAMPLES = re.compile(r"^(?P<head>.+?),?\s+(?:like|such\s+as|e\.g\.,?)\s+(?P<examples>.+?),?$", re.I)


def _split_examples(claim: str) -> list[str]:
    """A subject with examples: 'Techniques like A, B, and C improve X' -> 'A improves X', ... (the
    examples are the measures); 'Functions like A, B, and C allow X' -> 'Functions allow X' and
    'A, B, and C are functions' (naming examples is a claim of its own)."""
    words = claim.split()
    verb = find_verb(words)
    if verb is None or verb < 3:
        return [claim]
    match = _EXAMPLES.match(" ".join(words[:verb]))
    if not match:
        return [claim]
    head, predicate = match.group("head"), " ".join(words[verb:])
    examples = split_list(match.group("examples"))
    if len(examples) < 2 or any(len(e.split()) > 5 for e in examples):
        return [claim]
    if head_noun(head) in SPLIT_HEADS and is_plural(head):
        return [f"{capitalise(e)} {_conjugate_phrase(predicate, is_plural(e))}" for e in examples]
    listed = ", ".join(examples[:-1]) + f", and {examples[-1]}" if len(examples) > 2 else " and ".join(examples)
    return [f"{head} {predicate}", f"{capitalise(listed)} are {lowercase_start(bare(head))}"]


_LIST_SEPARATOR = re.compile(r",\s+(?!which\b|who\b|that\b)(?:and\s+|or\s+)?|;\s*(?:and\s+)?", re.I)


def split_list(text: str) -> list[str]:
    """'A, B, and C' -> [A, B, C]; 'A and B' stays whole (it is often one idea)."""
    parts = _split_top_level(text, _LIST_SEPARATOR)
    items = [re.sub(r"^(?:and|or)\s+", "", t.strip(), flags=re.I) for _, t in parts]
    return [i for i in items if i]


def _qualify(claim: str, subject: str | None) -> str:
    """'Techniques include X' -> 'Techniques for <subject> include X' when nothing names the subject."""
    if not subject or mentions(claim, subject):
        return claim
    words = claim.split()
    verb = find_verb(words)
    if verb is None or verb == 0:
        return claim
    head = head_noun(" ".join(words[:verb]))
    modifiers = [w.lower().strip(",") for w in words[: verb - 1]]
    if head not in GENERIC_HEADS or not all(m in _GENERIC_MODIFIERS for m in modifiers):
        return claim
    link = "of" if head in {"application", "variant", "example", "use", "type", "kind"} else "for"
    return " ".join([*words[:verb], link, bare(subject), *words[verb:]])


def _join(subject: str, predicate: str) -> str:
    return f"{subject} {predicate}".strip() if subject else predicate


def _conjugate_phrase(predicate: str, plural: bool) -> str:
    words = predicate.split()
    index = 0
    while index < len(words) - 1 and is_adverb(words[index]):
        index += 1
    words[index] = conjugate(words[index], plural)
    return " ".join(words)


def _starts_with_gerund(words: list[str]) -> bool:
    for word in words[:3]:
        w = word.lower().strip(",")
        if w in DETERMINERS or is_adjective_only(w):
            continue
        return w.endswith("ing") and len(w) > 5
    return False
