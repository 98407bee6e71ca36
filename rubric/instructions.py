"""Reading an answer intent: its instruction verbs ("explain", "say", "note that", "mention") stripped,
what they govern kept as claims ("explain that X does A" -> "X does A"; "say not to index B" ->
"Do not index B") or as topics ("describe the structure of X" -> "X: structure")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from spacy.tokens import Span, Token

from rubric.clauses import (
    Antecedents,
    Claim,
    claims_from,
    conjuncts,
    imperative_claims,
    join_tokens,
    sentence_claims,
)
from rubric.parser import parse_all, parse_statements
from rubric.questions import QuestionContext
from rubric.text import bare, capitalise, content_words, lowercase_start, mentions, split_into_sentences

Kind = Literal["claim", "topic"]

INSTRUCTION_VERBS = frozenset(
    {
        "explain", "say", "note", "mention", "describe", "state", "show", "stress", "emphasize", "emphasise",
        "highlight", "cover", "discuss", "point", "give", "list", "name", "define", "outline", "clarify",
        "compare", "contrast", "illustrate", "demonstrate", "indicate", "justify", "tell", "identify",
        "summarize", "summarise", "detail", "address", "walk", "talk", "touch", "present", "convey",
        "articulate", "recognize", "recognise", "acknowledge", "elaborate", "introduce", "distinguish",
        "differentiate", "argue", "add", "observe", "remark", "explore", "reflect", "expect", "look",
        "assess", "evaluate", "test", "check", "understand", "know", "recall", "consider", "provide", "share",
    }
)
# Topic heads that name an aspect of the subject rather than what the subject is.
_ASPECTS = {
    "structure", "function", "role", "purpose", "concept", "idea", "advantage", "disadvantage", "benefit",
    "drawback", "limitation", "architecture", "application", "use", "case", "difference", "similarity",
    "component", "layer", "type", "kind", "variant", "example", "impact", "effect", "importance", "process",
    "working", "method", "strategy", "technique", "step", "way", "metric", "criterion", "trade-off",
    "tradeoff", "challenge", "problem", "issue", "consideration", "pro", "con", "property", "feature",
    "characteristic", "principle", "detail", "concern", "part", "goal", "aim", "reason", "cause",
    "consequence", "implication", "knowledge", "understanding",
}


@dataclass(frozen=True, slots=True)
class Statement:
    """A claim the intent asks an answer to state, or a topic it asks an answer to cover."""

    text: str
    kind: Kind
    sentence: str
    stressed: bool = False


_COMPLEMENTISERS = {"that", "how", "why", "whether", "when", "what", "which", "where"}
_LEAD_WORDS = {"also", "briefly", "clearly", "then", "finally", "and", "first", "above", "all", "again", "should",
               "must", "the", "candidate", "answer", "can", "to", "be", "able", "expect"}


def intent_statements(intent: str, context: QuestionContext) -> list[Statement]:
    """The intent's claims and topics, in reading order."""
    antecedents = Antecedents(question=context.subject)
    pieces = [p for s in split_into_sentences(intent) for p in _instruction_pieces(_after_colon(s))]
    out: list[Statement] = []
    for doc in parse_statements(pieces):
        for sent in doc.sents:
            stressed = _stresses(sent)
            out.extend(
                replace(s, stressed=stressed) if s.kind == "claim" else s
                for s in _sentence_statements(sent, antecedents, context)
            )
    return out


_NEXT_INSTRUCTION = re.compile(
    rf"\s*(?:;\s*|,?\s+and\s+(?:then\s+|also\s+)?|,\s+)(?=(?:{'|'.join(sorted(INSTRUCTION_VERBS))})(?:e?s)?\s+"
    r"(?:that|how|why|whether|not|to|the|a|an|its|their)\b)",
    re.I,
)


def _instruction_pieces(sentence: str) -> list[str]:
    """'Explain A, and mention that B' -> ['Explain A', 'mention that B']."""
    return [p for p in _NEXT_INSTRUCTION.split(sentence) if p.strip()]


def _after_colon(sentence: str) -> str:
    """'Compare SGD with Adam: Adam adapts ...' -> 'Adam adapts ...': what follows a short
    instruction and a colon is what to state."""
    match = re.match(r"^([^:]{3,80}):\s+(.{8,})$", sentence)
    if match and match.group(1).split()[0].lower() in INSTRUCTION_VERBS:
        return match.group(2)
    return sentence


_STRESS_VERBS = {"stress", "emphasize", "emphasise", "insist", "highlight", "underline"}
_STRESS_WORDS = re.compile(
    r"\b(?:must|key|main|crucial(?:ly)?|essential(?:ly)?|especially|above\s+all|most\s+important(?:ly)?|"
    r"critical(?:ly)?|above\s+everything|never|always)\b", re.I
)


def _stresses(sent: Span) -> bool:
    """Does the intent sentence stress what it asks for ('above all', 'emphasise that ...')?"""
    return any(t.lemma_.lower() in _STRESS_VERBS for t in sent) or bool(_STRESS_WORDS.search(sent.text))


def _instruction_verb(sent: Span) -> Token | None:
    """The instruction verb the sentence opens with (after 'Above all,', 'The candidate should', ...)."""
    for token in sent:
        if token.lower_ in INSTRUCTION_VERBS or token.lemma_.lower() in INSTRUCTION_VERBS and token.tag_.startswith("VB"):
            return token
        if not (token.is_punct or token.lower_ in _LEAD_WORDS):
            return None
    return None


def _sentence_statements(sent: Span, antecedents: Antecedents, context: QuestionContext) -> list[Statement]:
    verb = _instruction_verb(sent)
    if verb is None:
        return [Statement(c.text, "claim", c.sentence) for c in sentence_claims(sent, antecedents)]
    sentence = sent.text.strip()
    following = [t for t in sent if t.i > verb.i and not (t.dep_ == "prt" or t.lower_ in ("on", "out", "over", "in"))
                 and t.i <= verb.i + 2]
    nxt = following[0] if following else None
    rest_start = nxt.i + 1 if nxt is not None else None
    if nxt is not None and nxt.lower_ in _COMPLEMENTISERS and rest_start < sent.end:
        # "explain that X ...": the small parser reads such clauses poorly; X is parsed on its own
        complement = sent.doc[rest_start : sent.end].text
        wh = None if nxt.lower_ == "that" else nxt.lower_
        # "that A, that B, and that C": each is a statement of its own
        parts = [capitalise(p) for p in re.split(r",\s+(?:and\s+)?that\s+", complement) if p.strip()]
        out = []
        for doc in parse_statements(parts):
            for s in doc.sents:
                claims = sentence_claims(s, antecedents)
                out.extend(_claim_or_topic(replace(c, sentence=sentence), wh, context) for c in claims)
        if out:
            return out
        return [_claim_or_topic(Claim(complement.rstrip(". "), sentence), wh or "that", context)]
    if nxt is not None and nxt.lower_ in ("not", "never") and rest_start < sent.end and sent.doc[rest_start].lower_ == "to":
        step = "Do not " + sent.doc[rest_start + 1 : sent.end].text
        return [Statement(c.text, "claim", sentence) for d in parse_statements([step]) for s in d.sents
                for c in sentence_claims(s, Antecedents())]
    if verb.dep_ == "ROOT":
        return _instructed(verb, sentence, antecedents, context)
    # the parser took the instruction for a noun ("Describe overfitting, ..."): read it as a verb
    doc = parse_all([f"You {verb.lower_} {sent.doc[verb.i + 1 : sent.end].text}"])[0]
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None and root.lemma_.lower() in INSTRUCTION_VERBS:
        return _instructed(root, sentence, antecedents, context)
    return []


def _instructed(verb: Token, sentence: str, antecedents: Antecedents, context: QuestionContext) -> list[Statement]:
    """What an instruction verb governs: that-clauses, 'not to' steps, noun phrases; and the
    instructions coordinated with it ('explain A and mention that B')."""
    out: list[Statement] = []
    purposes = [c for c in verb.children if c.dep_ in ("advcl", "xcomp") and any(
        a.dep_ == "aux" and a.lower_ == "to" for a in c.children) and not any(a.dep_ == "neg" for a in c.children)]
    for child in verb.children:
        if child in purposes:
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            if obj is None:  # "explain how to X" without an object: what the answer is about
                out.append(_topic(join_tokens(list(child.subtree)), sentence, context))
            continue
        as_phrase = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"), None)
        what = next((c for c in as_phrase.children if c.dep_ == "pobj"), None) if as_phrase is not None else None
        if child.dep_ == "dobj" and what is not None:  # "explain dropout as a technique to ...": a definition
            be = "are" if child.tag_ in ("NNS", "NNPS") else "is"
            out.append(Statement(capitalise(f"{join_tokens(list(child.subtree))} {be} {join_tokens(list(what.subtree))}"),
                                 "claim", sentence))
            continue
        if child is as_phrase:
            continue
        if child.dep_ == "dobj" and purposes:  # "describe techniques to reduce X": one topic
            phrase = join_tokens([*child.subtree, *(t for p in purposes for t in p.subtree)])
            out.append(_topic(phrase, sentence, context))
            continue
        if child.dep_ in ("ccomp", "advcl") and child.pos_ in ("VERB", "AUX"):
            edge = child.left_edge
            wh = edge.lower_ if edge.tag_ in ("WRB", "WP", "WDT") or edge.lower_ == "whether" else None
            for claim in claims_from(child, sentence, antecedents):
                out.append(_claim_or_topic(claim, wh, context))
        elif child.dep_ == "xcomp" and child.pos_ == "VERB":
            negated = any(c.dep_ == "neg" for c in (*child.children, *verb.children))
            if negated:  # "say not to index A": a step the answer must state
                out.extend(Statement(c.text, "claim", sentence) for c in imperative_claims(child, negated, sentence))
            else:  # "explain techniques to reduce latency": what the answer is about
                out.append(_topic(join_tokens(list(child.subtree)), sentence, context))
        elif child.dep_ in ("dobj", "pobj", "attr") or (child.dep_ == "prep" and child.lower_ in ("on", "over", "about", "for")):
            out.extend(_noun_statements(child, sentence, context))
        elif child.dep_ == "conj" and child.lemma_.lower() in INSTRUCTION_VERBS:
            out.extend(_instructed(child, sentence, antecedents, context))
        elif child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN"):  # "describe A, why B, and C"
            out.extend(_noun_statements(child, sentence, context))
        elif child.dep_ == "conj" and child.pos_ == "VERB":
            out.extend(Statement(c.text, "claim", sentence) for c in claims_from(child, sentence, antecedents))
        elif child.dep_ == "prt" and verb.lemma_ in ("point", "walk", "touch", "look"):
            continue
    return out


def _claim_or_topic(claim: Claim, wh: str | None, context: QuestionContext) -> Statement:
    """'how it works' says nothing checkable by itself: a topic, not a claim."""
    subject = context.subject[0] if context.subject else ""
    informative = content_words(claim.text) - content_words(subject)
    opens_with_wh = claim.text.split()[0].lower() in ("why", "how", "what", "which", "where", "when", "whether")
    if wh and (len(informative) < 2 or wh not in ("how", "why")) or opens_with_wh:
        text = claim.text if opens_with_wh or not wh else f"{wh} {lowercase_start(claim.text)}"
        if subject and not mentions(text, subject):
            text = f"{capitalise(bare(subject))}: {text}"
        return Statement(text, "topic", claim.sentence)
    return Statement(claim.text, "claim", claim.sentence)


def _noun_statements(token: Token, sentence: str, context: QuestionContext) -> list[Statement]:
    """'dropout as a regularization technique' -> the claim 'Dropout is a regularization technique';
    'the simplest unit of ...' for 'What is a perceptron?' -> 'A perceptron is the simplest unit of ...';
    else each listed noun phrase is a topic."""
    if token.dep_ == "prep":
        token = next((c for c in token.children if c.dep_ == "pobj"), None)
        if token is None:
            return []
    as_phrase = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "as"), None)
    if as_phrase is not None:
        what = next((c for c in as_phrase.children if c.dep_ == "pobj"), None)
        if what is not None:
            head = join_tokens([t for t in token.subtree if t not in set(as_phrase.subtree)])
            verb = "are" if token.tag_ in ("NNS", "NNPS") else "is"
            return [Statement(capitalise(f"{head} {verb} {join_tokens(list(what.subtree))}"), "claim", sentence)]
    members = [token, *(c for c in token.conjuncts if c.i > token.i)]
    phrases = [join_tokens(m) for m in conjuncts(token)] if len(members) > 1 else [join_tokens(list(token.subtree))]
    subject = context.subject[0] if context.subject else None
    out = []
    for member, phrase in zip(members, phrases):
        if not phrase:
            continue
        head_lemma = member.lemma_.lower()
        shares_words = bool(content_words(phrase) & content_words(subject or ""))
        if context.definition and subject and len(members) == 1 and head_lemma not in _ASPECTS and not shares_words:
            verb = "are" if context.subject and context.subject[1] else "is"
            out.append(Statement(capitalise(f"{subject} {verb} {phrase}"), "claim", sentence))
        else:
            out.append(_topic(bare(phrase), sentence, context))
    return out


_KNOWLEDGE_OF = re.compile(
    r"^(?:(?:the\s+)?(?:candidate'?s?|their|one'?s)\s+)?(?:understanding|knowledge|awareness|grasp|familiarity)"
    r"\s+(?:of|about|with)\s+", re.I,
)


def _topic(phrase: str, sentence: str, context: QuestionContext) -> Statement:
    subject = context.subject[0] if context.subject else None
    phrase = _KNOWLEDGE_OF.sub("", phrase)
    if subject:  # "its impact on learning" -> "network depth's impact on learning"
        owner = bare(subject)
        phrase = re.sub(r"^(?:its|their)\s+", f"{owner}' " if owner.endswith("s") else f"{owner}'s ", phrase, flags=re.I)
    if subject and not mentions(phrase, subject):
        return Statement(f"{capitalise(bare(subject))}: {phrase}", "topic", sentence)
    return Statement(capitalise(phrase), "topic", sentence)


def without_instruction(text: str) -> str:
    """'Describe overfitting, why it happens' -> 'Overfitting, why it happens'."""
    words = text.split()
    while words and words[0].lower().strip(",;:") in INSTRUCTION_VERBS | {"and", "briefly", "clearly", "also"}:
        words = words[1:]
    return capitalise(" ".join(words)) if words else text
