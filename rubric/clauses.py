"""Claims from a dependency parse: one sentence -> its clauses, each an atomic claim.

A clause head is the sentence's main verb, a verb coordinated with it ("... and helps B"), a
contrast ("whereas B ...", "unlike B, which ...") or a participle clause (", improving B"). Each
claim keeps its own negation, auxiliaries and leading condition, borrows the subject (and the
auxiliaries) of the clause it was split from when it has none, and names that subject where the
sentence used a pronoun. Imperative steps split over their listed objects ("Use A, B, or C")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Span, Token

from rubric.agreement import agree, phrase_is_plural

SUBJECT_DEPS = {"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"}
_PRONOUNS = {"it": False, "this": False, "they": True, "these": True, "those": True}
_CONTRAST_MARKS = {"whereas", "while", "so"}
_CONDITION_MARKS = {"if", "when", "whenever", "once", "unless", "after", "before", "until"}
_LIST_VERBS = {"include", "involve", "comprise", "encompass"}
_VERBS = {"VERB", "AUX"}


@dataclass(frozen=True, slots=True)
class Claim:
    """One atomic statement and the sentence it was drawn from."""

    text: str
    sentence: str
    subjectless: bool = False  # an imperative step, or a clause the parser found no subject for


Noun = tuple[str, bool]  # a noun phrase and whether it is plural


@dataclass(slots=True)
class Antecedents:
    """What a pronoun may stand for: the paragraph's first subject, the last one, the question's."""

    question: Noun | None = None
    first: Noun | None = None
    last: Noun | None = None

    def resolve(self, pronoun: str) -> Noun | None:
        word = pronoun.lower()
        if word == "this":  # the whole previous statement: its topic, of any number
            return next((c for c in (self.last, self.first, self.question) if c), None)
        plural = _PRONOUNS[word]
        return next((c for c in (self.first, self.last, self.question) if c and c[1] == plural), None)

    def note(self, subject: Noun) -> None:
        if self.first is None:
            self.first = subject
        self.last = subject


def sentence_claims(sent: Span, antecedents: Antecedents) -> list[Claim]:
    """The claims of one parsed sentence, in reading order."""
    if not any(t.pos_ in _VERBS for t in sent):
        return []
    return claims_from(sent.root, sent.text.strip(), antecedents)


# Gapping ("A is used for X, B for Y"): dependency grammar has no relation for the missing verb.
_GAPPED = re.compile(
    r"^(?P<np>[^,]+?)\s+(?P<vp>(?:is|are)\s+\w+|\w+s)\s+(?P<prep>for|in|on|with|by)\s+(?P<first>[^,]+)"
    r"(?P<items>(?:,\s+(?:and\s+)?[^,]+?\s+(?P=prep)\s+[^,]+)+)$"
)


def ungapped(text: str) -> list[str]:
    """'Cross-entropy is used for classification, MSE for regression' -> two claims."""
    match = _GAPPED.match(text.strip().rstrip("."))
    if not match:
        return [text]
    vp, prep = match.group("vp"), match.group("prep")
    out = [f"{match.group('np')} {vp} {prep} {match.group('first')}"]
    for item in re.split(r",\s+(?:and\s+)?", match.group("items").strip(", ")):
        np, _, rest = item.partition(f" {prep} ")
        if not rest:
            return [text]
        verb = vp
        if vp.split()[0] in ("is", "are"):
            verb = f"{'are' if np.endswith('s') and not np.endswith('ss') else 'is'} {vp.split()[1]}"
        out.append(f"{np[:1].upper()}{np[1:]} {verb} {prep} {rest}")
    return out


def claims_from(root: Token, sentence: str, antecedents: Antecedents) -> list[Claim]:
    """The claims of the clause headed by `root` and of the clauses coordinated with it."""
    heads = _clause_heads(root)
    split = {h.i for h in heads}
    claims: list[Claim] = []
    for head in heads:
        words = _clause_words(head, split)
        subject = _subject_of(head)
        own_subject = subject is not None and subject.head == head
        words = [t for t in words if not (head.dep_ == "relcl" and t.head == head and t.lower_ == "which")]
        rendered = _render(head, words, subject, own_subject, antecedents)
        if subject is not None and own_subject:
            rendered = [r for text in rendered for r in _split_examples(text, subject, head)]
        rendered = [_named_back_reference(_qualified(t, subject, antecedents.question), antecedents.question)
                    for t in rendered]
        claims.extend(Claim(t, sentence, subject is None) for text in rendered if text for t in ungapped(text))
        if subject is not None and own_subject and subject.lower_ not in _PRONOUNS and subject.pos_ != "PRON":
            phrase = _phrase(subject)
            if len(phrase.split()) <= 8:
                antecedents.note((phrase, phrase_is_plural(subject)))
    return claims + _contrast_claims(list(root.subtree), sentence)


def imperative_claims(head: Token, negated: bool, sentence: str) -> list[Claim]:
    """An instruction's 'not to index A or B' as steps: 'Do not index A', 'Do not index B'."""
    words = [t for t in head.subtree if not (t.head == head and (t.dep_ == "neg" or t.lower_ == "to"))]
    prefix: list[Token | str] = ["Do not"] if negated else []
    texts = _split_objects(head, _trim(words), prefix, imperative=True)
    return [Claim(text[:1].upper() + text[1:], sentence, True) for text in texts if text]


def _clause_heads(token: Token) -> list[Token]:
    """The token and every verb split off it: coordinated verbs, contrasts, participle clauses."""
    heads = [token]
    for child in token.children:
        if child.dep_ == "conj" and child.pos_ in _VERBS and _has_content(child):
            heads.extend(_clause_heads(child))
        elif child.dep_ == "advcl" and child.i > token.i and _is_split_advcl(child):
            heads.extend(_clause_heads(child))
        elif child.dep_ == "ccomp" and child.i < token.i and _is_spliced(child):
            heads.extend(_clause_heads(child))
    heads.extend(h for h in _effects(token) if h not in heads)
    if token.dep_ == "ROOT":  # "A happens when B, while C": a contrast hung deeper still stands apart
        heads.extend(
            h for t in token.subtree if t.dep_ == "advcl" and t not in heads and t.head not in heads
            and _is_contrast(t) for h in _clause_heads(t)
        )
    return sorted(heads, key=lambda t: t.i)


def _effects(head: Token) -> list[Token]:
    """'X does A during training, which reduces B': a ', which' clause at the end of a phrase after
    the object says what the whole clause does."""
    out = []
    for prep in (c for c in head.children if c.dep_ in ("prep", "advmod", "npadvmod")):
        for noun in (t for t in prep.subtree if t.dep_ == "pobj"):
            for relcl in (c for c in noun.children if c.dep_ == "relcl" and c.tag_ == "VBZ"):
                which = [c for c in relcl.children if c.dep_ == "nsubj" and c.lower_ == "which"]
                comma = relcl.doc[which[0].i - 1].text == "," if which else False
                if which and comma and relcl.right_edge.i >= head.right_edge.i - 1:
                    out.append(relcl)
    return out


def _is_spliced(token: Token) -> bool:
    """'A uses X, B finds Y': a clause with its own subject before a comma and the main clause."""
    after = token.right_edge.i + 1
    has_subject = any(c.dep_ in SUBJECT_DEPS for c in token.children)
    return has_subject and after < len(token.doc) and token.doc[after].text in (",", ";")


def _is_contrast(token: Token) -> bool:
    marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
    comma = token.left_edge.i > 0 and token.doc[token.left_edge.i - 1].text == ","
    return bool(marks & {"whereas", "while"}) and comma and any(c.dep_ in SUBJECT_DEPS for c in token.children)


def _is_split_advcl(token: Token) -> bool:
    marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
    if marks & _CONTRAST_MARKS:
        return any(c.dep_ in SUBJECT_DEPS for c in token.children)
    # ", improving convergence": a participle that states an effect of the main clause
    comma_before = token.i > 0 and token.doc[token.left_edge.i - 1].text == ","
    return not marks and token.tag_ == "VBG" and comma_before and any(c.dep_ == "dobj" for c in token.children)


def _has_content(token: Token) -> bool:
    return any(t.pos_ in ("NOUN", "PROPN", "ADJ", "NUM", "ADV") for t in token.subtree) or token.pos_ == "VERB"


def _clause_words(head: Token, split: set[int]) -> list[Token]:
    """The head's subtree without the clauses split off it, their linking words and contrasts."""
    dropped: set[int] = set()
    for token in head.subtree:
        if token.i != head.i and (token.i in split or _is_contrast_prep(token)):
            dropped.update(t.i for t in token.subtree)
    if any(c.i in split for c in head.children):
        dropped.update(c.i for c in head.children if c.dep_ in ("cc", "preconj"))
    dropped.update(c.i for c in head.children if c.dep_ == "mark" and c.lower_ in _CONTRAST_MARKS)
    # "(explain) that X ...", "(explain) how it works": the claim is "X ...", "it works"
    edge = head.left_edge
    if head.dep_ == "ccomp" and (edge.lower_ in ("that", "whether") or edge.tag_ == "WRB"):
        dropped.add(edge.i)
    words = [t for t in head.subtree if t.i not in dropped]
    return _trim(words)


def _trim(words: list[Token]) -> list[Token]:
    """Without leading/trailing punctuation and conjunctions, and without doubled commas."""
    while words and (words[0].is_punct or words[0].dep_ in ("cc", "preconj") or words[0].dep_ == "mark"
                     and words[0].lower_ in ("that", "whether")):
        words = words[1:]
    while words and (words[-1].is_punct or words[-1].dep_ in ("cc", "preconj")):
        words = words[:-1]
    out: list[Token] = []
    for t in words:
        if t.is_punct and t.text == "," and out and out[-1].text == ",":
            continue
        out.append(t)
    return out


def _subject_of(head: Token) -> Token | None:
    """The head's own subject, else that of the clause it was split from."""
    while True:
        subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS]
        # "Explain that dropout ...": the parser may take the complementiser for a second subject
        subject = next((c for c in subjects if c.lower_ != "that" or len(subjects) == 1), None)
        if head.dep_ == "relcl" and subject is not None and subject.lower_ == "which":
            clause = next((a for a in head.ancestors if a.pos_ in _VERBS and a.dep_ != "relcl"), None)
            return _subject_of(clause) if clause is not None else None
        if subject is not None or head.dep_ not in ("conj", "advcl") or head.head == head:
            return subject
        head = head.head


def _borrowed_aux(head: Token) -> list[Token]:
    """'can reduce A and improve B' -> 'can' for 'improve B'; 'is computed and stored' -> 'is'."""
    if head.dep_ != "conj" or any(c.dep_ in ("aux", "auxpass") for c in head.children):
        return []
    parent = head.head
    wanted = {"VB": ("aux", "neg"), "VBN": ("aux", "auxpass", "neg")}.get(head.tag_)
    if wanted is None or parent.tag_ != head.tag_:
        return []
    return [c for c in parent.children if c.dep_ in wanted and c.i < parent.i and c.lower_ != "to"]


def _render(
    head: Token,
    words: list[Token],
    subject: Token | None,
    own_subject: bool,
    antecedents: Antecedents,
) -> list[str]:
    """The claim text(s) of a clause head: the subject named, a participle made finite."""
    if not words:
        return []
    if subject is None:  # an imperative, or a clause whose subject the parser did not find
        prefix = [*_leading_condition(head), *_borrowed_aux(head)]
        return _split_objects(head, words, prefix)
    if own_subject:
        if _pronoun_subject(subject) is None:
            return _split_objects(head, words, [])
        named = _name_pronoun(words, subject, head, antecedents)
        return [named] if named else _split_objects(head, words, [])
    # a borrowed subject: "X does A and [X] helps B", "X does A, [X] improving B"
    noun, plural = _resolved_subject(subject, antecedents)
    condition: list[Token | str] = list(_leading_condition(head))
    if head.tag_ == "VBG" and not any(c.dep_ in ("aux", "auxpass") for c in head.children) and (
        head.dep_ == "advcl" or head.head.tag_ == "VBG"
    ):
        before = [t for t in words if t.i < head.i]
        after = [t for t in words if t.i > head.i]
        return [join_tokens([*condition, noun, *before, agree(head.lemma_, plural), *after])]
    aux = _borrowed_aux(head)
    verb = _finite_verb(head)
    pieces: list[Token | str] = [
        agree(t.lemma_, plural, t.text) if verb is not None and t.i == verb.i and not aux else t for t in words
    ]
    return [join_tokens([*condition, noun, *aux, *pieces])]


_GENERIC_HEADS = {
    "technique", "method", "strategy", "approach", "solution", "step", "way", "measure", "remedy", "trick",
    "option", "practice", "mechanism", "application", "variant", "example", "use", "type", "kind", "tool",
    "task", "benefit", "advantage", "disadvantage", "drawback", "limitation", "challenge", "component",
}


def _qualified(text: str, subject: Token | None, question: Noun | None) -> str:
    """'Prevention techniques include A' -> 'Prevention techniques for overfitting include A': a
    generic subject gets the question's subject, or it says nothing checkable."""
    if subject is None or question is None or subject.lemma_.lower() not in _GENERIC_HEADS:
        return text
    if any(c.dep_ == "prep" for c in subject.children) or subject.text not in text:
        return text
    topic = question[0]
    if any(w.lower() in text.lower().split() for w in topic.split() if len(w) > 3):
        return text
    link = "of" if subject.lemma_.lower() in {"application", "variant", "example", "use", "type", "kind"} else "for"
    bare_topic = topic.split(maxsplit=1)[1] if topic.split()[0].lower() in ("a", "an", "the") and " " in topic else topic
    at = text.find(subject.text) + len(subject.text)
    return f"{text[:at]} {link} {bare_topic}{text[at:]}"


def _split_examples(text: str, subject: Token, head: Token) -> list[str]:
    """'Techniques like A, B, and C help prevent X' -> 'A helps prevent X', ...: the examples of a
    generic subject are the measures the claim is about."""
    if subject.lemma_.lower() not in _GENERIC_HEADS or subject.tag_ != "NNS":
        return [text]
    like = next((c for c in subject.children if c.dep_ == "prep" and c.lower_ in ("like", "such", "including")), None)
    first = next((t for t in like.subtree if t.dep_ == "pobj"), None) if like is not None else None
    items = conjuncts(first) if first is not None else []
    if len(items) < 2 or any(len(i) > 5 for i in items):
        return [text]
    words = [t for t in head.subtree if t.i > subject.right_edge.i]
    verb = _finite_verb(head)
    out = []
    for item in items:
        plural = item[-1].tag_ in ("NNS", "NNPS")
        pieces: list[Token | str] = [agree(t.lemma_, plural, t.text) if verb is not None and t.i == verb.i else t
                                     for t in words]
        claim = join_tokens([*item, *pieces])
        out.append(claim[:1].upper() + claim[1:])
    return out


_BACK_REFERENCE = re.compile(r"\b(?:these|those|such|both)\s+(?:issues|problems|challenges|effects)\b", re.I)


def _named_back_reference(text: str, question: Noun | None) -> str:
    """'... help prevent these issues' -> '... help prevent vanishing and exploding gradients'."""
    if question is None:
        return text
    topic = re.sub(r"^(?:a|an|the)\s+", "", question[0], flags=re.I)
    text = re.sub(r"^(without|with)\s+(?:them|it)\b", lambda m: f"{m.group(1)} {topic}", text, flags=re.I)
    return _BACK_REFERENCE.sub(topic, text)


def _leading_condition(head: Token) -> list[Token]:
    """The 'If A, ' that opens the sentence a split clause belongs to: it holds for that clause too."""
    top = head
    while top.dep_ in ("conj", "advcl") and top.head != top and top.head.i < top.i:
        top = top.head
    if top == head:
        return []
    for child in top.children:
        marks = {c.lower_ for c in child.children if c.dep_ == "mark"}
        if child.dep_ == "advcl" and child.i < top.i and marks & _CONDITION_MARKS:
            tokens = list(child.subtree)
            after = tokens[-1].i + 1
            if after < len(head.doc) and head.doc[after].text == ",":
                tokens.append(head.doc[after])
            return tokens
    return []


def _pronoun_subject(subject: Token) -> str | None:
    if subject.lower_ in _PRONOUNS and len(list(subject.subtree)) == 1:
        return subject.lower_
    return None


def _name_pronoun(words: list[Token], subject: Token, head: Token, antecedents: Antecedents) -> str | None:
    """'It is trained with X' -> 'A recurrent neural network is trained with X'."""
    found = antecedents.resolve(subject.lower_)
    if found is None:
        return None
    noun, plural = found
    verb = _finite_verb(head)
    out: list[Token | str] = []
    for t in words:
        if t.i == subject.i:
            out.append(noun)
        elif verb is not None and t.i == verb.i and _PRONOUNS[subject.lower_] != plural:
            out.append(agree(t.lemma_, plural, t.text))
        else:
            out.append(t)
    return join_tokens(out)


def _resolved_subject(subject: Token, antecedents: Antecedents) -> Noun:
    pronoun = _pronoun_subject(subject)
    found = antecedents.resolve(pronoun) if pronoun is not None else None
    return found or (_phrase(subject), phrase_is_plural(subject))


def _finite_verb(head: Token) -> Token | None:
    """The word that agrees with the subject: the first auxiliary, else the verb itself."""
    aux = [c for c in head.children if c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBZ", "VBP")]
    if aux:
        return aux[0]
    return head if head.tag_ in ("VBZ", "VBP") else None


def _split_objects(
    head: Token, words: list[Token], prefix: Sequence[Token | str], imperative: bool = False
) -> list[str]:
    """'Use A, B, or C to reduce X' -> one step per object; 'Methods include A, B and C' likewise.
    Lists after other verbs ('RNNs suit A, B and C') are one claim about all of them."""
    whole = join_tokens([*prefix, *words])
    subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS]
    addressed = len(subjects) == 1 and subjects[0].lower_ == "you"  # "you use A, B and C" is a list of steps
    imperative = imperative or addressed or head.tag_ == "VB" and not subjects and head.dep_ in ("ROOT", "conj")
    if head.lemma_ in _LIST_VERBS:
        return _split_list(head, words, prefix) or [whole]
    if not imperative:
        return [whole]
    obj = next((c for c in head.children if c.dep_ == "dobj"), None)
    # the parser sometimes hangs later objects on the verb: "Use A, B, and C" with B a conj of "Use"
    stray = [c for c in head.children if c.dep_ == "conj" and c.pos_ not in _VERBS and obj is not None]
    if obj is not None and head.lemma_ in _LIST_VERBS:  # "include A, B, and using C": C hung on the verb
        stray += [c for c in head.children if c.dep_ in ("advcl", "conj") and c.tag_ == "VBG" and c.i > obj.i]
    items = conjuncts(obj, stray) if obj is not None else []
    if len(items) < 2 or any(len(i) > 8 for i in items):
        return _split_list(head, words, prefix) or [whole]
    in_object = {t.i for member in (obj, *stray) for t in member.subtree}
    last = max(in_object)
    before = [t for t in words if t.i < obj.i and t.i not in in_object]
    after = [t for t in words if t.i > obj.i and t.i not in in_object and not (t.is_punct and t.i < last)]
    return [join_tokens([*prefix, *before, *item, *after]) for item in items]


def _split_list(head: Token, words: list[Token], prefix: Sequence[Token | str]) -> list[str] | None:
    """'Techniques include A, B, using C, and D' -> one claim per item. The small parser often
    misreads lists of gerunds, so the items are cut at the list's commas and its last 'and'/'or'."""
    lead = [t for t in words if t.i <= head.i]
    rest = [t for t in words if t.i > head.i]
    depth, items, current = 0, [], []
    for k, t in enumerate(rest):
        depth += t.text in "([{"
        depth -= t.text in ")]}"
        if depth == 0 and t.text in (",", ";"):
            items.append(current)
            current = []
        elif depth == 0 and t.dep_ == "cc" and (not current or k and rest[k - 1].text == ","):
            continue
        else:
            current.append(t)
    items.append(current)
    items = [i for i in items if i and not all(t.is_punct for t in i)]
    purpose: list[Token] = []
    if items:  # "..., and C to reduce X": the purpose is every item's
        last = items[-1]
        at = next((k for k, t in enumerate(last) if t.lower_ == "to" and t.dep_ == "aux" and k > 0), None)
        if at is not None:
            items[-1], purpose = last[:at], last[at:]
    if len(items) < 3 or any(len(i) > 8 for i in items):
        return None
    return [join_tokens([*prefix, *lead, *item, *purpose]) for item in items]


def conjuncts(token: Token, stray: Sequence[Token] = ()) -> list[list[Token]]:
    """'A, B, and C' (token A) -> [[A...], [B...], [C...]], each with its own modifiers."""
    members = sorted({token, *stray, *(c for m in (token, *stray) for c in m.conjuncts if c.i > token.i)},
                     key=lambda t: t.i)
    if len(members) < 2:
        return []
    member_ids = {m.i for m in members}
    out = []
    for member in members:
        nested: set[int] = set()
        for t in member.subtree:
            if t.i != member.i and (t.i in member_ids or (t.dep_ in ("cc", "punct") and t.head.i in member_ids)):
                nested.update(u.i for u in t.subtree)
        out.append([t for t in member.subtree if t.i not in nested])
    return out


def _is_contrast_prep(token: Token) -> bool:
    return token.dep_ == "prep" and token.lower_ == "unlike"


def _contrast_claims(tokens: list[Token], sentence: str) -> list[Claim]:
    """'..., unlike Y, which relies on B' -> 'Y relies on B'."""
    out = []
    for token in tokens:
        if not _is_contrast_prep(token):
            continue
        obj = next((c for c in token.children if c.dep_ == "pobj"), None)
        relcl = next((c for c in obj.children if c.dep_ == "relcl"), None) if obj is not None else None
        if relcl is None:
            continue
        relativiser = {c.i for c in relcl.children if c.dep_ in SUBJECT_DEPS and c.tag_ in ("WDT", "WP")}
        if not relativiser:
            continue
        words = [t for t in obj.subtree if t.i not in relativiser]
        out.append(Claim(join_tokens(_trim(words)), sentence))
    return out


def _phrase(token: Token) -> str:
    """A subject's words, without a complementiser or adverb the parser hung on it."""
    stray = {c.i for c in token.children if c.dep_ in ("advmod", "nsubj") and len(list(c.subtree)) == 1}
    return join_tokens(_trim([t for t in token.subtree if t.i not in stray]))


def join_tokens(items: Sequence[Token | str]) -> str:
    """Tokens (and words put in their place) as text: the original spacing between neighbours, one
    space where words were left out between them."""
    items = [t for t in items if isinstance(t, str) or not (t.has_extension("inserted") and t._.inserted)]
    out: list[str] = []
    for k, item in enumerate(items):
        if isinstance(item, str):
            out.append(item.strip() + " ")
            continue
        nxt = items[k + 1] if k + 1 < len(items) else None
        adjacent = isinstance(nxt, Token) and nxt.i == item.i + 1
        out.append(item.text + (item.whitespace_ if adjacent else " "))
    text = "".join(out)
    text = re.sub(r"\s+([,.;:)])", r"\1", text)
    return " ".join(text.split()).strip(" ,;:")
