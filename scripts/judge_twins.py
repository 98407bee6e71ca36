"""Hard twins for training the contradiction judge: a sentence against itself with one edit that
only word order or one word tells apart (spaCy's dependency parse finds where to edit).

- `role_swap`: the subject and an object of the main verb exchange places ("the generator judges
  the discriminator"); also the two sides of a comparison ("A ... than B" -> "B ... than A").
- `negation`: the main verb negated, or its negation removed.
- `flip`: one word turned into its opposite from a small lexicon (directions, comparatives,
  quantities: forward/backward, more/fewer, increases/decreases ...).
- `conjunct_swap`: "A and B" -> "B and A", a meaning-preserving edit (a twin that still agrees), so
  the model cannot learn that any reordering is a contradiction.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

_OPPOSITES = {
    "increase": "decrease", "increases": "decreases", "increased": "decreased", "increasing": "decreasing",
    "more": "fewer", "less": "more", "fewer": "more", "most": "least", "least": "most",
    "higher": "lower", "lower": "higher", "larger": "smaller", "smaller": "larger", "bigger": "smaller",
    "faster": "slower", "slower": "faster", "better": "worse", "worse": "better",
    "forward": "backward", "backward": "forward", "backwards": "forwards", "forwards": "backwards",
    "input": "output", "output": "input", "inputs": "outputs", "outputs": "inputs",
    "before": "after", "after": "before", "first": "last", "last": "first",
    "always": "never", "never": "always", "reduces": "increases", "reduce": "increase",
    "prevents": "causes", "prevent": "cause", "maximize": "minimize", "minimize": "maximize",
    "maximizes": "minimizes", "minimizes": "maximizes", "overfitting": "underfitting",
    "underfitting": "overfitting", "positive": "negative", "negative": "positive",
    "large": "small", "small": "large", "many": "few", "few": "many", "long": "short", "short": "long",
    "deeper": "shallower", "easier": "harder", "harder": "easier", "early": "late", "late": "early",
    "adds": "removes", "removes": "adds", "encoder": "decoder", "decoder": "encoder",
    "training": "inference", "inference": "training", "high": "low", "low": "high",
    "same": "different", "different": "same", "upstream": "downstream", "downstream": "upstream",
    "above": "below", "below": "above", "inside": "outside", "outside": "inside",
    "up": "down", "down": "up", "left": "right", "right": "left", "old": "young", "young": "old",
    "open": "closed", "closed": "open", "empty": "full", "full": "empty", "wet": "dry", "dry": "wet",
    "sitting": "standing", "standing": "sitting", "inside of": "outside of", "day": "night", "night": "day",
    "stable": "unstable", "unstable": "stable", "sparse": "dense", "dense": "sparse",
    "supervised": "unsupervised", "unsupervised": "supervised", "linear": "nonlinear",
    "nonlinear": "linear", "convex": "non-convex", "parallel": "sequentially", "sequentially": "in parallel",
}
_SUBJECTS = {"nsubj", "nsubjpass"}
_OBJECTS = {"dobj", "pobj", "attr", "dative", "oprd"}
_PRONOUNS = {"it", "they", "this", "that", "which", "who", "you", "we", "i", "he", "she", "them", "one"}


def twins(doc: Doc) -> dict[str, str]:
    """Each edit that applies to the sentence: name -> edited text."""
    makers: dict[str, Callable[[Doc], str | None]] = {
        "role_swap": role_swap, "negation": negation, "flip": flip, "conjunct_swap": conjunct_swap,
    }
    out = {}
    for name, make in makers.items():
        text = make(doc)
        if text and text.strip() != doc.text.strip():
            out[name] = text
    return out


def role_swap(doc: Doc) -> str | None:
    """The main verb's subject and its last content object (or the two sides of "than"), swapped."""
    than = _comparison_sides(doc)
    if than:
        return _swap_spans(doc, *than)
    root = _root(doc)
    if root is None:
        return None
    subject = next((t for t in root.children if t.dep_ in _SUBJECTS and _content(t)), None)
    if subject is None:
        return None
    objects = [t for t in root.subtree if t.dep_ in _OBJECTS and _content(t) and t.i > subject.i
               and t.lemma_.lower() != subject.lemma_.lower() and not _inside(t, subject)]
    if not objects:
        return None
    direct = [t for t in objects if t.head.i == root.i and t.dep_ in ("dobj", "attr")]
    return _swap_spans(doc, _chunk(doc, subject), _chunk(doc, (direct or objects)[-1]))


def negation(doc: Doc) -> str | None:
    """The main verb negated, or its "not"/"never" removed."""
    root = _root(doc)
    if root is None:
        return None
    negs = [t for t in root.children if t.dep_ == "neg"]
    if negs:
        words = [t.text_with_ws for t in doc if t.i != negs[0].i]
        if negs[0].text.lower() == "n't":  # "doesn't" -> "does"
            words = [t.text_with_ws if t.i != negs[0].i - 1 else t.text + negs[0].whitespace_ for t in doc
                     if t.i != negs[0].i]
        return "".join(words)
    aux = [t for t in root.children if t.dep_ in ("aux", "auxpass") and t.i < root.i]
    if aux:
        return _insert_after(doc, aux[0], "not")
    if root.lemma_ == "be":
        return _insert_after(doc, root, "not")
    copula = next((t for t in root.children if t.dep_ == "cop"), None)
    if copula is not None:
        return _insert_after(doc, copula, "not")
    if root.tag_ in ("VBZ", "VBP", "VBD"):
        do = {"VBZ": "does", "VBP": "do", "VBD": "did"}[root.tag_]
        before = "".join(t.text_with_ws for t in doc[: root.i])
        after = "".join(t.text_with_ws for t in doc[root.i + 1:])
        return f"{before}{do} not {root.lemma_}{root.whitespace_}{after}"
    return None


def flip(doc: Doc) -> str | None:
    """The first word found in the lexicon of opposites, replaced by its opposite."""
    for t in doc:
        other = _OPPOSITES.get(t.text.lower())
        if other:
            if t.text[:1].isupper():
                other = other[:1].upper() + other[1:]
            return "".join(x.text_with_ws if x.i != t.i else other + x.whitespace_ for x in doc)
    return None


def conjunct_swap(doc: Doc) -> str | None:
    """Two coordinated noun phrases ("A and B") exchanged: the meaning stays."""
    for t in doc:
        if t.dep_ == "conj" and t.head.pos_ in ("NOUN", "PROPN") and t.pos_ in ("NOUN", "PROPN"):
            cc = [c for c in t.head.children if c.dep_ == "cc" and c.i < t.i]
            if cc and cc[0].lower_ == "and":
                left = doc[t.head.left_edge.i: t.head.i + 1]
                right = doc[t.left_edge.i: t.i + 1]
                if left.end <= cc[0].i and right.start > cc[0].i:
                    return _swap_spans(doc, left, right)
    return None


def _root(doc: Doc) -> Token | None:
    return next((t for t in doc if t.dep_ == "ROOT"), None)


def _content(t: Token) -> bool:
    return t.pos_ in ("NOUN", "PROPN") and t.lower_ not in _PRONOUNS


def _inside(t: Token, other: Token) -> bool:
    return other.left_edge.i <= t.i <= other.right_edge.i


def _chunk(doc: Doc, head: Token) -> Span:
    """The noun phrase of `head` without its relative clauses or prepositional tails."""
    start = min([head.i] + [c.left_edge.i for c in head.lefts])
    return doc[start: head.i + 1]


def _comparison_sides(doc: Doc) -> tuple[Span, Span] | None:
    than = next((t for t in doc if t.lower_ == "than"), None)
    if than is None:
        return None
    after = next((t for t in than.subtree if t.dep_ == "pobj" and _content(t)), None)
    if after is None:
        after = next((t for t in doc[than.i + 1:] if _content(t)), None)
    root = _root(doc)
    subject = next((t for t in root.children if t.dep_ in _SUBJECTS and _content(t)), None) if root else None
    if after is None or subject is None or subject.i > than.i:
        return None
    return _chunk(doc, subject), _chunk(doc, after)


def _swap_spans(doc: Doc, a: Span, b: Span) -> str | None:
    if a.start > b.start:
        a, b = b, a
    if a.end > b.start or a.text.lower() == b.text.lower():
        return None
    first, second = _recase(b.text, a), _recase(a.text, b)
    return (doc[: a.start].text_with_ws + first + a[-1].whitespace_ + doc[a.end: b.start].text_with_ws
            + second + b[-1].whitespace_ + doc[b.end:].text_with_ws)


def _recase(text: str, slot: Span) -> str:
    """`text` capitalised as the sentence start if it goes there, else its first word lowered if it was
    capitalised only for being first (not an acronym)."""
    if slot.start == 0:
        return text[:1].upper() + text[1:]
    word = text.split(" ", 1)[0]
    if word[:1].isupper() and word[1:].islower():
        return text[:1].lower() + text[1:]
    return text


def _insert_after(doc: Doc, token: Token, word: str) -> str:
    return "".join(t.text_with_ws if t.i != token.i else f"{t.text} {word}{t.whitespace_}" for t in doc)
