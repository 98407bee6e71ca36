"""Reading a dependency parse into clauses: what the parse judge (evaluator/judge/parse.py) compares.

A clause is a predicate with its subject (agent), object (patient), the other content words it
asserts or denies, its comparisons and its from/to phrase, and whether it is negated and asserted at
all (a relative clause or a condition asserts nothing). OPPOSITES is the judge's only lexicon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evaluator.lexical import STOPWORDS, stem

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The lexicon: opposites, as (one side, other side) groups of lemmas. Small on purpose: a word here flips
# the meaning of the clause it is aligned in (an odd number of flips is a contradiction), so only pairs
# where one side excludes the other belong here.
OPPOSITES: tuple[tuple[str, str], ...] = (
    ("increase raise grow rise", "decrease reduce lower shrink drop fall"),
    ("large larger big bigger", "small smaller"),
    ("more", "few fewer less"),
    ("high higher greater", "low lower"),
    ("fast faster quick quicker", "slow slower"),
    ("add", "remove"),
    ("training train", "inference test testing deployment prediction"),
    ("before", "after"),
    ("input", "output"),
    ("encoder encode", "decoder decode"),
    ("forward", "backward back"),
    ("on", "off"),
    ("enable", "disable"),
    ("shallow", "deep deeper"),
    ("simple simpler", "complex complicated"),
    ("easy easier", "hard harder difficult"),
    ("labeled labelled", "unlabeled unlabelled"),
    ("supervised", "unsupervised"),
    ("linear", "nonlinear non-linear"),
    ("overfitting overfit", "underfitting underfit"),
    ("same shared", "different separate"),
    ("early earlier first", "late later last"),
    ("minimize minimise", "maximize maximise"),
    ("stable", "unstable"),
    ("sparse", "dense"),
    ("parallel", "sequential"),
)
# Comparatives: the scale they grade and its sign. "fewer parameters" grades "parameter", negatively.
_GRADED = {"more": 1, "fewer": -1, "less": -1}
_SCALES = {
    "larger": ("size", 1),
    "bigger": ("size", 1),
    "smaller": ("size", -1),
    "higher": ("level", 1),
    "greater": ("level", 1),
    "lower": ("level", -1),
    "faster": ("speed", 1),
    "quicker": ("speed", 1),
    "slower": ("speed", -1),
    "easier": ("ease", 1),
    "simpler": ("ease", 1),
    "harder": ("ease", -1),
    "deeper": ("depth", 1),
    "shallower": ("depth", -1),
    "later": ("time", 1),
    "earlier": ("time", -1),
    "better": ("quality", 1),
    "worse": ("quality", -1),
    "cheaper": ("cost", -1),
}
_OPPOSITE_OF: dict[str, frozenset[str]] = {}  # word -> the words of the other side
SAME_SIDE: dict[str, frozenset[str]] = {}  # word -> the words of its own side (itself included)
for _a, _b in OPPOSITES:  # by stems, as clauses hold their words
    for _side, _other in ((_a, _b), (_b, _a)):
        _side_stems = frozenset(stem(w) for w in _side.split())
        _other_stems = frozenset(stem(w) for w in _other.split())
        for _stem in _side_stems:
            _OPPOSITE_OF[_stem] = _OPPOSITE_OF.get(_stem, frozenset()) | _other_stems
            SAME_SIDE[_stem] = SAME_SIDE.get(_stem, frozenset()) | _side_stems

_CONTENT_POS = frozenset(["NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"])
_CLAUSE_DEPS = frozenset(
    ["ROOT", "conj", "ccomp", "advcl", "xcomp", "relcl", "acl", "parataxis", "csubj", "pcomp"]
)
# Clauses that qualify a noun, or name an action ("for exploding", "adding layers helps"), assert nothing.
_QUALIFYING_DEPS = frozenset(["relcl", "acl", "pcomp", "csubj"])
_CONDITIONS = frozenset(["if", "unless", "whether", "until", "when", "whenever"])
# A negated clause with one of these may deny the exclusivity alone ("not only in training").
_EXCLUSIVE = frozenset(["only", "just", "solely", "exclusively", "purely"])
# Adverbs that make a clause a matter of degree: "vanish far less" is not denied by "without vanishing".
_HEDGES = frozenset(
    ["less", "barely", "hardly", "rarely", "seldom", "little", "partly", "partially", "mostly"]
)
_SUBJECT_DEPS = frozenset(["nsubj", "csubj", "expl"])
_PASSIVE_SUBJECT_DEPS = frozenset(["nsubjpass", "csubjpass"])
_OBJECT_DEPS = frozenset(["dobj", "attr", "oprd"])
_NEGATIVE_DETERMINERS = frozenset(["no", "neither"])
_NEGATIVE_PRONOUNS = frozenset(["nothing", "none", "nobody", "noone"])
_DENYING_PREPOSITIONS = frozenset(["without", "unlike"])  # "without labels": labels are denied
_PRONOUNS = frozenset(
    ["it", "they", "this", "that", "these", "those", "which", "one", "he", "she", "we", "you", "i"]
)
_CONTROL_VERBS = frozenset(
    ["need", "have", "try", "want", "bother", "manage"]
)  # "doesn't need to X" denies X
LIGHT_VERBS = frozenset(["be", "have", "do", "make", "get", "use"])  # verbs that carry no claim of their own
# Words that never decide an alignment: fillers, and the heads of "at test time", "in the training phase".
_GENERIC = frozenset(
    [
        "also",
        "only",
        "just",
        "really",
        "basically",
        "actually",
        "simply",
        "usually",
        "often",
        "always",
        "still",
        "even",
        "very",
        "so",
        "then",
        "thing",
        "way",
        "kind",
        "lot",
        "bit",
        "time",
        "phase",
        "stage",
    ]
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """ "A GRU has fewer parameters than an LSTM": scale parameter, sign -1, subject GRU, other LSTM."""

    scale: str
    sign: int
    subject: frozenset[str]
    other: frozenset[str]  # the "than" side; empty when not said


@dataclass(frozen=True, slots=True)
class Clause:
    """One predicate of a text with what the judge compares on it."""

    key: str  # the predicate's lemma (with its particle), or the complement of "be"
    head_stem: str  # the stem of the predicate's verb ("generat"), to meet agent nouns ("generator")
    negated: bool
    copula: bool  # "X is Y": the key is Y
    hedged: bool  # "barely updated", "vanish less": no plain polarity to compare
    exclusive: bool  # has "only", "just", "solely": a negation may deny the exclusivity alone
    asserted: bool  # said outright: not in a relative clause, a condition or an embedded question
    claimed: bool  # asserted, or said in a relative clause (what a key point's clauses all claim)
    passive_or_copula: bool
    agent: frozenset[str]  # the subject (active) or the "by" phrase (passive); empty for a pronoun or none
    patient: frozenset[str]  # the object, or the subject of a passive
    terms: frozenset[str]  # content words asserted in the clause, the predicate and agent left out
    denied: frozenset[str]  # words under "not X", "without X", "rather than X", "no X"
    source: frozenset[str]
    goal: frozenset[str]
    comparisons: tuple[Comparison, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Reading:
    """A parsed text: its clauses and every content word it asserts or denies."""

    clauses: tuple[Clause, ...]
    asserted: frozenset[str]
    denied: frozenset[str]
    surface: dict[str, tuple[int, str]]  # word -> (position, the word as first written), for explanations


def opposite(word: str, words: frozenset[str]) -> str | None:
    """The word of `words` that is an opposite of `word`, if `words` has one and nothing on word's side."""
    if SAME_SIDE.get(word, frozenset({word})) & words:
        return None
    found = _OPPOSITE_OF.get(word, frozenset()) & words
    return min(found) if found else None


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _word(token: Token) -> str:
    """What the judge compares a token by: the stem of its lemma, so "pooling" (noun) meets "pool" (verb)."""
    return stem(_lemma(token))


def _is_content(token: Token) -> bool:
    if token.dep_ == "neg":
        return False  # a negation is a flip, not a word to align
    word = _word(token)
    if word in _GENERIC or token.lower_ in _GENERIC:
        return False
    if word in _OPPOSITE_OF:
        return token.pos_ != "ADP" or token.dep_ == "prt" or token.lower_ not in ("on", "off")
    return token.pos_ in _CONTENT_POS and word not in STOPWORDS and token.lower_ not in STOPWORDS


def _words(token: Token) -> set[str]:
    return {_word(token)}


def _phrase(noun: Token) -> frozenset[str]:
    """The content words naming an entity: the noun and its compounds and adjectives."""
    if noun.lower_ in _PRONOUNS or noun.pos_ == "PRON":
        return frozenset()
    out = set(_words(noun)) if _is_content(noun) else set()
    for child in noun.children:
        if child.dep_ in ("compound", "amod", "nmod", "nummod") and _is_content(child):
            out |= _words(child)
    return frozenset(out)


def _is_clause_head(token: Token) -> bool:
    if token.dep_ == "ROOT":
        return True
    return token.dep_ in _CLAUSE_DEPS and token.pos_ in ("VERB", "AUX")


def _own_tokens(head: Token) -> list[Token]:
    """The tokens of head's clause, without the clauses inside it."""
    out, stack = [], [head]
    while stack:
        token = stack.pop()
        out.append(token)
        stack.extend(c for c in token.children if not _is_clause_head(c))
    return sorted(out, key=lambda t: t.i)


def _denier(token: Token) -> bool:
    """A word that denies what it governs: "without", "unlike", "not"/"no" on a noun, "rather than", "instead of"."""
    lower = token.lower_
    if lower in _DENYING_PREPOSITIONS:
        return True
    if lower == "than" and token.i > 0 and token.doc[token.i - 1].lower_ == "rather":
        return True
    if lower == "of" and token.i > 0 and token.doc[token.i - 1].lower_ == "instead":
        return True
    return lower == "instead" or (
        lower == "rather" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "than"
    )


def _is_denied(token: Token, head: Token) -> bool:
    """Whether token sits under a denier between it and its clause head: "without labels", "rather than
    neurons", or "not"/"no"/"never" on a phrase that is not the clause's subject or object ("never on
    the test set")."""
    core = _SUBJECT_DEPS | _OBJECT_DEPS | _PASSIVE_SUBJECT_DEPS
    node = token
    while node != head and node.head != node:
        if _denier(node):
            return True
        if (
            node.pos_ in ("NOUN", "PROPN", "ADP")
            and node.dep_ not in core
            and any(
                c.dep_ in ("neg", "det", "preconj", "advmod")
                and c.lower_ in ("not", "no", "never")
                and not _only_follows(c)
                for c in node.children
            )
        ):
            return True
        if any(_denier(c) and c.i < token.i for c in node.children if c.dep_ in ("cc", "advmod", "prep")):
            return True
        node = node.head
    return False


def _only_follows(neg: Token) -> bool:
    """ "not only", "not just": no denial."""
    doc = neg.doc
    return neg.i + 1 < len(doc) and doc[neg.i + 1].lower_ in ("only", "just", "necessarily")


def _negated(head: Token) -> bool:
    """A "not"/"never" on the predicate (or its auxiliary), or "no"/"nothing" as its subject or object."""
    for child in head.children:
        if child.dep_ == "neg" and not _only_follows(child):
            return True
        if child.dep_ in ("aux", "auxpass") and any(
            c.dep_ == "neg" and not _only_follows(c) for c in child.children
        ):
            return True
        if child.dep_ in _SUBJECT_DEPS | _PASSIVE_SUBJECT_DEPS | _OBJECT_DEPS | {"acomp"}:
            if child.lower_ in _NEGATIVE_PRONOUNS:
                return True
            if any(c.dep_ == "det" and c.lower_ in _NEGATIVE_DETERMINERS for c in child.children):
                return True
    return False


def _borrowed_negation(head: Token) -> bool:
    """ "doesn't try to fool", "you don't have to set them", "there is no need to monitor it": the
    infinitive is denied by the negation of the clause it completes."""
    if head.dep_ == "xcomp" and _lemma(head.head) in _CONTROL_VERBS and _negated(head.head):
        return True
    if head.dep_ in ("pcomp", "advcl") and (
        _denier(head.head)
        or any(
            _denier(c) for c in head.children if c.dep_ in ("mark", "prep", "cc", "advmod") and c.i < head.i
        )
    ):
        return True  # "instead of being told", "without storing the matrix", "rather than being squashed"
    return (
        head.dep_ == "acl"
        and _lemma(head.head) in ("need", "reason")
        and any(c.dep_ == "det" and c.lower_ in _NEGATIVE_DETERMINERS for c in head.head.children)
    )


def _asserted(head: Token, qualifying: bool = False) -> bool:
    """Whether the clause asserts what it says; with `qualifying`, a relative clause counts (a key
    point's "a correction that is added to its input" claims the adding), a condition never does."""
    if _borrowed_negation(head):
        parent = head.head if head.dep_ == "xcomp" else head.head.head
        return _asserted(parent, qualifying)
    node = head
    while True:
        if node.dep_ in _QUALIFYING_DEPS and not (qualifying and node.dep_ in ("relcl", "acl")):
            return False
        if node.dep_ in ("advcl", "ccomp") and any(
            c.dep_ in ("mark", "advmod") and c.lower_ in _CONDITIONS for c in node.children
        ):
            return False
        if node.dep_ == "ccomp" and node.left_edge.tag_ in ("WDT", "WP", "WRB"):
            return False  # an embedded question: "finds how much the loss would rise"
        if node.head == node:
            return True
        node = node.head
        while not _is_clause_head(node) and node.head != node:
            node = node.head


def _subject(head: Token, deps: frozenset[str]) -> Token | None:
    """The clause's subject of the given deps; a conjoined or infinitive clause borrows its head's."""
    node = head
    for _ in range(4):
        for child in node.children:
            if child.dep_ in deps:
                return child
        # "trains a generator to fool ...": the generator fools; "pools the maps to reduce ...": the pooling reduces
        infinitive = node.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
        if node.dep_ == "xcomp":
            objects = [c for c in node.head.children if c.dep_ == "dobj"]
            if objects and deps is _SUBJECT_DEPS:
                return objects[0]
        if (node.dep_ in ("conj", "xcomp") or infinitive) and node.head != node:
            node = node.head
            continue
        if node.dep_ == "relcl" and any(c.dep_ in deps and c.lower_ in _PRONOUNS for c in node.children):
            return node.head
        return None
    return None


def _comparisons(tokens: list[Token], anchors: set[Token], agent: frozenset[str]) -> tuple[Comparison, ...]:
    """The comparisons the clause makes of its agent: a comparative on the predicate, its complement or
    its object ("has fewer parameters", "is faster", "the more stable one"), with the "than" side."""
    if not agent:
        return ()
    out = []
    for degree in tokens:
        if not (degree.tag_ in ("JJR", "RBR") or degree.lower_ in _GRADED):
            continue
        if degree not in anchors and degree.head not in anchors and degree.head.head not in anchors:
            continue  # "the lower capsules": a name, not a comparison
        lower = degree.lower_
        if lower in _GRADED:
            graded = degree.head if degree.head != degree else degree
            if graded.pos_ in (
                "VERB",
                "AUX",
            ):  # "suffers less from X": the verb's object or prep carries the scale
                graded = next((t for t in tokens if t.dep_ in ("pobj", "dobj") and t.i > degree.i), graded)
            scale, sign = _word(graded), _GRADED[lower]
        elif lower in _SCALES:
            scale, sign = _SCALES[lower]
        else:
            scale, sign = _word(degree), 1
        out.append(Comparison(scale, sign, agent, frozenset(_than(degree))))
    return tuple(out)


def _than(degree: Token) -> set[str]:
    """The other side of a comparison: "than an LSTM", "than sigmoid does"."""
    doc = degree.doc
    other: set[str] = set()
    for t in doc[degree.i :]:
        if t.lower_ == "than" and not (t.i > 0 and doc[t.i - 1].lower_ == "rather"):
            for child in t.children:
                if child.dep_ == "pobj":
                    other |= _phrase(child)
            if t.dep_ == "mark":
                subject = next((c for c in t.head.children if c.dep_ in _SUBJECT_DEPS), None)
                if subject is not None:
                    other |= _phrase(subject)
            break
        if t.is_sent_end or t.lower_ in (";", ":"):
            break
    return other


def _equative(complement: Token | None) -> bool:
    """ "not as accurate as the teacher": a comparison, not a denial of accuracy."""
    return complement is not None and any(
        c.lower_ == "as" and c.dep_ == "advmod" for c in complement.children
    )


def _span(tokens: list[Token], doc: Doc) -> str:
    """The clause as written, its first word in lower case unless a name ("Adam", "GRU")."""
    text = doc[tokens[0].i : tokens[-1].i + 1].text.strip(" ,;:.")
    first = tokens[0]
    if first.pos_ != "PROPN" and first.text[1:].islower() or len(first.text) == 1 and first.pos_ == "DET":
        text = text[:1].lower() + text[1:]
    return text


def _clause(head: Token) -> Clause:
    tokens = _own_tokens(head)
    passive = any(c.dep_ == "auxpass" for c in head.children) or any(
        c.dep_ in _PASSIVE_SUBJECT_DEPS for c in head.children
    )
    complement = next((c for c in head.children if c.dep_ in ("attr", "acomp")), None)
    copula = _lemma(head) == "be" and complement is not None
    if copula:
        key = _word(complement)
    else:
        particle = next((c for c in head.children if c.dep_ == "prt"), None)
        key = _word(head) + (f" {particle.lower_}" if particle is not None else "")
    subject = _subject(head, _SUBJECT_DEPS)
    passive_subject = _subject(head, _PASSIVE_SUBJECT_DEPS)
    by_agent = next(
        (g for c in head.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"), None
    )
    direct_object = next((c for c in head.children if c.dep_ == "dobj"), None)
    dative = next((c for c in head.children if c.dep_ == "dative"), None)  # "gives a CNN fewer parameters"
    if passive:
        agent = _phrase(by_agent) if by_agent is not None else frozenset()
        patient = _phrase(passive_subject) if passive_subject is not None else frozenset()
    else:
        agent = _phrase(subject) if subject is not None else frozenset()
        patient = _phrase(direct_object) if direct_object is not None else frozenset()
    terms: set[str] = set()
    denied: set[str] = set()
    for t in tokens:
        if (
            t == head
            or t == complement
            and copula
            or t.dep_ == "prt"
            and t.head == head
            or not _is_content(t)
        ):
            continue
        if subject is not None and not passive and t in subject.subtree:
            continue
        (denied if _is_denied(t, head) else terms).update(_words(t))
    source, goal = frozenset(), frozenset()
    for t in tokens:
        starts = (
            t.dep_ == "prep"
            and t.lower_ in ("at", "with")
            and t.head == head
            and _lemma(head) in ("start", "begin")
        )
        if starts and not source:
            obj = next((g for g in t.children if g.dep_ == "pobj"), None)
            source = _phrase(obj) if obj is not None else source
            continue
        if (
            t.dep_ == "prep"
            and t.lower_ in ("from", "to", "into", "toward", "towards")
            and not _is_denied(t, head)
        ):
            obj = next((g for g in t.children if g.dep_ == "pobj"), None)
            if obj is None:
                continue
            if t.lower_ == "from" and not source:
                source = _phrase(obj)
            elif t.lower_ != "from" and not goal:
                goal = _phrase(obj)
    if (
        subject is not None
        and subject.head != head
        or passive
        and passive_subject is not None
        and passive_subject.head != head
    ):
        borrowed = subject if subject is not None and subject.head != head else passive_subject
        tokens = sorted({*borrowed.subtree, *tokens}, key=lambda t: t.i)
    return Clause(
        key=key,
        head_stem=_word(head),
        negated=_negated(head)
        or (complement is not None and _negated(complement))
        or _borrowed_negation(head),
        copula=copula,
        hedged=any(c.dep_ == "advmod" and c.lower_ in _HEDGES for c in head.children)
        or _equative(complement),
        exclusive=any(t.lower_ in _EXCLUSIVE for t in tokens),
        asserted=_asserted(head),
        claimed=_asserted(head, qualifying=True),
        passive_or_copula=passive or copula or _lemma(head) == "be",
        agent=agent,
        patient=patient,
        terms=frozenset(terms - agent),
        denied=frozenset(denied),
        source=source,
        goal=goal,
        comparisons=_comparisons(
            tokens,
            {head, *(c for c in head.children if c.dep_ in ("attr", "acomp", "dobj", "advmod", "oprd"))},
            _phrase(dative) if dative is not None else agent or patient,
        ),
        text=_span(tokens, head.doc),
    )


def read(doc: Doc) -> Reading:
    """The clauses of a parsed text and the words it asserts and denies."""
    clauses = tuple(_clause(t) for t in doc if _is_clause_head(t))
    asserted = (
        frozenset().union(*(c.terms | c.agent | c.patient | {c.key} for c in clauses))
        if clauses
        else frozenset()
    )
    denied = frozenset().union(*(c.denied for c in clauses)) if clauses else frozenset()
    surface: dict[str, tuple[int, str]] = {}
    for token in doc:
        for word in _words(token):
            surface.setdefault(word, (token.i, token.text))
    return Reading(clauses, asserted, denied, surface)
