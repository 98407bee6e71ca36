"""Reading the question: what it is about (the subject a pronoun may stand for), whether its answer is
a list of steps and what they are for, and how a bare fragment answers it ("push and pop" for "What
are the two main functions of a stack?" -> "The two main functions of a stack are push and pop.")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

from rubric.agreement import phrase_is_plural
from rubric.parser import parse
from rubric.text import STOPWORDS, capitalise, lowercase_start

Noun = tuple[str, bool]

_NO_SUBJECT = {"difference", "differences", "similarity", "similarities", "relationship"}
_ASPECTS = {"purpose", "role", "function", "importance", "concept", "idea", "meaning", "use", "notion",
            "architecture", "structure", "goal", "aim"}
_WH_PRONOUNS = {"what", "which", "who", "whom", "why", "how", "when", "where", "you", "we", "one", "i", "it", "they"}


@dataclass(frozen=True, slots=True)
class QuestionContext:
    """What the builder needs to know of the question."""

    text: str
    subject: Noun | None
    asks_for_actions: bool
    goal: str | None
    definition: bool
    asks_yes_no: bool = False


def read_question(question: str) -> QuestionContext:
    ask = asking_sentence(question)
    return QuestionContext(
        text=question,
        subject=question_subject(ask),
        asks_for_actions=asks_for_actions(ask.text),
        goal=question_goal(ask.text),
        definition=bool(re.match(r"^\s*(?:what\s+(?:is|are)|define)\b", ask.text, re.I)),
        asks_yes_no=bool(re.match(r"^(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had)\b",
                                  ask.text.strip(), re.I)),
    )


def asking_sentence(question: str) -> Span:
    """The sentence that asks: the last one with a question mark, else the last one (a long
    question may open with its context)."""
    doc = parse(question)
    sentences = list(doc.sents)
    asking = [s for s in sentences if "?" in s.text]
    return (asking or sentences)[-1]


def question_subject(ask: Span) -> Noun | None:
    """What the question is about ('What is a perceptron?' -> 'a perceptron'), or None when it
    compares several things or names none."""
    if re.search(r"\b(?:between|vs\.?|versus)\b", ask.text, re.I):
        return None
    root = ask.root
    first = ask[0]
    if first.lower_ in ("what", "who") and len(ask) > 2 and ask[1].lower_ in ("is", "are"):
        # "What is X?": X, however the small parser reads it ("transfer learning" as a verb, "dropout" as a preposition)
        return _copula_subject(ask, start=2)
    for dep in ("nsubj", "nsubjpass", "attr", "dobj"):
        for child in root.children:
            if child.dep_ == dep and child.lower_ not in _WH_PRONOUNS and (child.pos_ in ("NOUN", "PROPN")):
                return _noun_phrase(child)
        # "How do you handle X?": the object of the verb the question asks about
    for child in root.children:
        if child.dep_ in ("xcomp", "ccomp"):
            obj = next((c for c in child.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")), None)
            if obj is not None:
                return _noun_phrase(obj)
    return None


_MODIFIERS = {"det", "amod", "compound", "nummod", "poss", "nmod", "quantmod", "advmod"}


def _copula_subject(ask: Span, start: int) -> Noun | None:
    """The noun phrase from `start` to where the phrase ends: 'the purpose of a prototype' -> 'a prototype'."""
    words: list[Token] = []
    stop = None
    for t in ask[start:]:
        following = ask.doc[t.i + 1] if t.i + 1 < len(ask.doc) else None
        if t.is_punct or t.tag_ in ("WRB", "WP", "WDT") or t.pos_ == "ADP" or (t.tag_ in ("VBN", "VBD", "VBZ", "VBP", "MD") and words) or (
            t.dep_ == "cc" and following is not None and following.tag_ in ("WRB", "WP")
        ):
            stop = t
            break
        words.append(t)
    if not words or len(words) > 6:
        return None
    if stop is not None and stop.text == "," and any(t.dep_ == "cc" for t in ask.doc[stop.i : ask.end]) and not any(
        t.tag_ in ("WRB", "WP") for t in ask.doc[stop.i : ask.end]
    ):
        return None  # "What are epochs, batch size, and iterations?"
    head = words[-1]
    if head.lemma_.lower() in _NO_SUBJECT:
        return None
    if head.lemma_.lower() in _ASPECTS and stop is not None and stop.lower_ == "of":
        return _copula_subject(ask, stop.i - ask.start + 1)
    plural = head.tag_ in ("NNS", "NNPS") or ask[1].lower_ == "are" and start == 2
    return (" ".join(t.text for t in words), plural)


def _noun_phrase(head: Token) -> Noun | None:
    """The head with the words before it that modify it: 'residual networks (ResNets)' -> 'residual
    networks'; None for a list ('epochs, batch size, and iterations') or a comparison."""
    if head.lemma_.lower() in _NO_SUBJECT or any(c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") for c in head.children):
        return None
    if head.lemma_.lower() in _ASPECTS:  # "the purpose of a prototype" is about a prototype
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            return _noun_phrase(obj)
    words = sorted(
        [t for c in head.lefts if c.dep_ in _MODIFIERS for t in c.subtree if not t.is_punct] + [head], key=lambda t: t.i
    )
    text = " ".join(t.text for t in words)
    if not text or len(words) > 6 or words[0].lower_ in _WH_PRONOUNS:
        return None
    return (text, phrase_is_plural(head))


_GOAL_ASK = re.compile(
    r"\b(?:how|what)\s+(?:do|does|would|could|can|should|will|might)\s+(?:you|we|one)\s+(?P<vp>.+)$", re.I
)
_SITUATION_ASK = re.compile(
    r"^(?P<situation>.+?)\s*(?:[-\u2013\u2014]+|[.?!:;])\s+(?:so\s+)?(?:what|how|which)\b(?P<ask>.*)$", re.I
)
_EMPTY_ASK = re.compile(
    r"^(?:\s|\b(?:do|take|steps?|would|you|we|about|it|this|that|approach|first|fix|solve|handle|deal|"
    r"with|address|tackle|respond|react|proceed|the|a|an|to|in|what|how|which|can|could|should)\b)*$",
    re.I,
)


def question_goal(question: str) -> str | None:
    """What the steps of an answer are for: 'How do you handle X?' -> 'to handle X';
    'Your model is overfitting - what would you do?' -> 'when your model is overfitting'."""
    text = " ".join(question.split()).rstrip("?.! ")
    situation = _SITUATION_ASK.match(text)
    if situation and _EMPTY_ASK.match(situation.group("ask")):
        return f"when {lowercase_start(situation.group('situation').strip())}"
    goal = _GOAL_ASK.search(text)
    if not goal:
        return None
    vp = goal.group("vp").strip()
    if _EMPTY_ASK.match(vp) or len(vp.split()) > 14:
        return None
    return f"to {vp}"


def asks_for_actions(question: str) -> bool:
    """'How do you ...?', 'What would you do ...?': answers are steps, often imperative."""
    return bool(re.search(r"\b(?:you|we|one)\s+(?:\w+\s+)?(?:do|take|handle|deal|use|approach|tackle|"
                          r"deploy|fine-tune|implement|optimi[sz]e|make|put|choose|fix|improve|reduce|"
                          r"prevent|stop|avoid|speed)\b|\bsteps?\b", question, re.I))


def in_context(fragment: str, question: str) -> str:
    """A fragment of an answer as a statement, in the words of the question it answers:
    'What are the functions of a stack?' + 'push and pop' -> 'The functions of a stack are push and pop'."""
    fragment = fragment.strip().rstrip(".!?;:, ")
    ask = asking_sentence(question)
    wh = next((t for t in ask if t.tag_ in ("WP", "WDT", "WRB")), None)
    root = ask.root
    if wh is not None and wh.lower_ in ("what", "which") and root.lemma_ == "be":
        other = next(
            (c for c in root.children if c.dep_ in ("nsubj", "attr", "nsubjpass") and wh not in c.subtree), None
        )
        if other is not None:
            return capitalise(f"{_span_text(other.subtree)} {root.text} {lowercase_start(fragment)}")
    if wh is not None and wh.lower_ == "why" and not re.match(r"^(?:because|since|as|so|to|in\s+order)\b", fragment, re.I):
        # the small parser reads questions poorly; the question itself frames the reason
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in parse(fragment))
        return f"{ask.text.strip().rstrip('?.! ')}? Because {'' if has_verb else 'of '}{lowercase_start(fragment)}"
    if wh is not None:
        return f"{ask.text.strip().rstrip('?.! ')}: {fragment}"
    return capitalise(fragment)


def _span_text(tokens) -> str:  # noqa: ANN001 - an iterator of tokens
    return "".join(t.text_with_ws for t in tokens).strip()


# Words that answer a yes/no question, and say nothing about any other.
_YES_NO = {"yes", "no", "ok", "okay", "sure", "maybe", "yeah", "nope", "right", "correct", "true", "false"}


def says_something(text: str, context: QuestionContext) -> bool:
    """A source sentence says something checkable: a content word beyond yes/no filler, unless the
    question asks yes or no."""
    words = {w for w in re.findall(r"[a-z0-9][a-z0-9-]*", text.lower()) if w not in STOPWORDS}
    return bool(words if context.asks_yes_no else words - _YES_NO)
