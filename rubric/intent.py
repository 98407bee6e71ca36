"""Reading the question and the answer intent: the question's subject and goal, and the intent with
its instruction verbs stripped, as claims ("explain that X ...") and topics ("the role of X")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rubric.claims import split_contrast, split_list
from rubric.grammar import find_verb, head_noun, is_plural
from rubric.pronouns import resolve_possessives, resolve_sentence, sentence_subject
from rubric.text import (
    STOPWORDS, bare, clean_text, content_words, lowercase_start, mentions, split_into_sentences,
    strip_conjunction,
)

if TYPE_CHECKING:
    from rubric.build import Source


_SITUATION_ASK = re.compile(
    r"^(?P<situation>.+?)\s*(?:[-\u2013\u2014]+|[.?!:;])\s+(?:so\s+)?(?:what|how|which)\b(?P<ask>.*)$", re.I
)
_GOAL_ASK = re.compile(
    r"\b(?:how|what)\s+(?:do|does|would|could|can|should|will|might)\s+(?:you|we|one)\s+(?P<vp>.+)$", re.I
)
_EMPTY_ASK = {
    "do", "take", "step", "steps", "would", "you", "we", "about", "it", "this", "that", "approach", "first",
}


def question_goal(question: str) -> str | None:
    """What the steps of an answer are for: 'How do you handle X?' -> 'to handle X';
    'Your model is overfitting - what would you do?' -> 'when your model is overfitting'."""
    text = clean_text(question).rstrip("?.! ")
    situation = _SITUATION_ASK.match(text)
    if situation and _says_nothing(situation.group("ask"), _FIX_VERBS):
        return f"when {lowercase_start(situation.group('situation').strip())}"
    goal = _GOAL_ASK.search(text)
    if not goal:
        return None
    vp = goal.group("vp").strip()
    if _says_nothing(vp, _FIX_VERBS) or len(vp.split()) > 14:
        return None
    return f"to {vp}"


# "... - how do you fix it?": verbs that, about a situation and a pronoun, ask only what to do
_FIX_VERBS = {"fix", "solve", "handle", "deal", "with", "address", "tackle", "respond", "react", "proceed"}


def _says_nothing(ask: str, also: frozenset[str] | set[str] = frozenset()) -> bool:
    return set(re.findall(r"[a-z]+", ask.lower())) <= _EMPTY_ASK | STOPWORDS | also


_INSTRUCTIONS = (
    r"explain|describe|clarify|compare|contrast|show|mention|discuss|define|introduce|highlight|"
    r"outline|identify|demonstrate|state|note|emphasi[sz]e|illustrate|name|list|give|provide|detail|"
    r"summari[sz]e|walk\s+through|cover|address|justify|elaborate(?:\s+on)?|talk\s+about|"
    r"point\s+out|indicate|distinguish|differentiate|evaluate|assess|test|check|explore|present|"
    r"convey|articulate|recogni[sz]e|understand|know|touch\s+on|go\s+over|reflect"
)
_LEAD_IN = (
    r"(?:(?:the|a)\s+(?:candidate|answer|response|interviewee|good\s+answer)s?\s+"
    r"(?:should|must|will|needs?\s+to|is\s+expected\s+to)\s+|"
    r"(?:candidates?|you)\s+(?:should|must|need\s+to)\s+|expect\s+(?:the\s+candidate\s+)?to\s+|"
    r"look\s+for\s+(?:an\s+answer\s+that\s+)?|be\s+able\s+to\s+|"
    r"(?:briefly|clearly|concisely|also|then|and|finally)\s+)*"
)
_INSTRUCTION = re.compile(rf"^\s*{_LEAD_IN}(?:{_INSTRUCTIONS})(?:e?s|e?d)?\b\s*", re.IGNORECASE)
_KNOWLEDGE_OF = re.compile(
    r"^(?:(?:the\s+)?(?:candidate'?s?|their|one'?s)\s+)?(?:understanding|knowledge|awareness|"
    r"grasp|familiarity|command|mastery)\s+(?:of|about|with)\s+",
    re.IGNORECASE,
)
_COMPLEMENT = re.compile(r"^(?:in\s+detail\s+|briefly\s+|clearly\s+)?(that|how|why|whether|when)\s+", re.I)
_NEXT_INSTRUCTION = re.compile(rf"\s*(?:;\s*|,?\s+and\s+|,\s+)(?=(?:{_INSTRUCTIONS})(?:e?s)?\s)", re.I)
# "Compare X with Y: X does A, while Y does B": what follows the colon is what to state.
_STATEMENTS_AFTER = re.compile(r"^[^:]{3,80}:\s+(?P<statements>.+)$")
# Topic heads that name an aspect of the subject rather than what the subject is.
_ASPECTS = {
    "structure", "function", "role", "purpose", "concept", "idea", "advantage", "disadvantage",
    "benefit", "drawback", "limitation", "architecture", "application", "use", "case", "difference",
    "similarity", "component", "layer", "type", "kind", "variant", "example", "impact", "effect",
    "importance", "process", "working", "method", "strategy", "technique", "step", "way", "metric",
    "criterion", "criteria", "trade-off", "tradeoff", "challenge", "problem", "issue", "consideration",
    "integration", "pro", "con", "property", "feature", "characteristic", "principle", "detail", "concern",
    "part", "goal", "aim", "reason", "cause", "consequence", "implication", "knowledge", "understanding",
}


def intent_statements(
    intent: str, subject: str | None, definition: bool = False
) -> list[tuple[str, Source]]:
    """The intent as claims (what a good answer must state) and topics (what it must cover).

    With `definition` ("What is X?"), an intent that names what X is ("Explain the simplest unit
    of ...") becomes the claim "X is the simplest unit of ..."."""
    out: list[tuple[str, Source]] = []
    previous: str | None = subject
    for sentence in split_into_sentences(intent):
        for piece in _NEXT_INSTRUCTION.split(sentence):
            comparing = bool(re.match(r"\s*(?:compare|contrast|differentiate|distinguish)", piece, re.I))
            piece = _strip_instruction(piece)
            if not piece:
                continue
            complement = _COMPLEMENT.match(piece)
            statements = piece[complement.end() :] if complement else _after_colon(piece)
            if statements is not None:
                clause = resolve_sentence(statements, previous, subject)
                wh = complement.group(1) if complement else "that"
                out.extend(_claim_or_topic(part, subject, wh) for part in split_contrast(clause))
                previous = sentence_subject(clause) or previous
            else:
                out.extend(topic_statements(piece, subject, definition and not comparing))
    return out


def _after_colon(piece: str) -> str | None:
    """'SGD with Adam: Adam adapts ...' -> 'Adam adapts ...', when what follows the colon has a verb."""
    match = _STATEMENTS_AFTER.match(piece)
    statements = match.group("statements") if match else None
    return statements if statements and find_verb(statements.split()) is not None else None


def _strip_instruction(piece: str) -> str:
    piece = piece.strip(" ,;:.")
    stripped = _INSTRUCTION.sub("", piece, count=1)
    if stripped != piece:
        stripped = _KNOWLEDGE_OF.sub("", stripped, count=1)
    return stripped.strip(" ,;:.")


def _claim_or_topic(clause: str, subject: str | None, wh: str) -> tuple[str, Source]:
    """'how it works' says nothing checkable by itself: keep it as a topic, not a claim."""
    words = clause.split()
    verb = find_verb(words)
    informative = content_words(clause) - content_words(subject or "")
    if verb is None or len(informative) < 2:
        return (f"{wh} {clause}", "topic")
    return (clause, "intent")


def topic_statements(piece: str, subject: str | None, definition: bool = False) -> list[tuple[str, Source]]:
    """A noun-phrase intent ("the structure of X, including A, B, and how X does C") as topics,
    with any embedded how/why/that clause taken as a claim."""
    first, _, rest = piece.partition(", ")
    as_claim = re.match(r"^(?P<a>[\w\s'-]+?)\s+as\s+(?P<b>(?:a|an|the)\s+.+)$", first, re.I)
    if as_claim and subject and content_words(as_claim.group("a")) & content_words(subject):
        # "dropout as a technique to ..., and its benefits" -> "Dropout is a technique to ...", benefits
        a = as_claim.group("a")
        claim = (f"{a} {'are' if is_plural(a) else 'is'} {as_claim.group('b')}", "intent")
        return [claim, *(topic_statements(strip_conjunction(rest), subject) if rest else [])]
    parts = re.split(r",?\s+(?:including|especially|notably|in\s+particular)\s+", piece, maxsplit=1, flags=re.I)
    items = [i for part in parts for item in _split_topics(part) for i in _WH_AND.split(item)]
    if definition and subject and len(items) == 1 and not mentions(items[0], subject) and " and " not in items[0]:
        head = head_noun(re.sub(r"^(?:the|a|an)\s+", "", items[0], flags=re.I))
        if head not in _ASPECTS:
            return [(f"{subject} {'are' if is_plural(subject) else 'is'} {items[0]}", "intent")]
    out: list[tuple[str, Source]] = []
    for item in items:
        complement = _COMPLEMENT.match(item)
        if complement:
            clause = resolve_sentence(item[complement.end() :], subject, subject)
            out.append(_claim_or_topic(clause, subject, complement.group(1)))
        else:
            out.append((_topic_phrase(item, subject), "topic"))
    return out


_EXAMPLE_LEAD = re.compile(r",?\s+(?:such\s+as|like|e\.g\.,?|for\s+example)\s+", re.I)


def _split_topics(text: str) -> list[str]:
    """'A, B and C' -> [A, B, C], but 'remedies such as A, B and C' stays one topic with its examples."""
    examples = _EXAMPLE_LEAD.search(text)
    if not examples:
        return split_list(text)
    items = split_list(text[: examples.start()]) or [""]
    return [*items[:-1], f"{items[-1]}{text[examples.start():]}".strip()]


_WH_AND = re.compile(r"\s+and\s+(?=(?:how|why|when|whether)\s)", re.I)


def _topic_phrase(item: str, subject: str | None) -> str:
    item = resolve_possessives(item, subject)
    item = re.sub(r"^(?:the|a|an)\s+", "", item, flags=re.I)
    if subject and not mentions(item, subject):
        item = f"{bare(subject)}: {item}"
    return item


def is_definition_question(question: str) -> bool:
    return bool(re.match(r"^\s*(?:what\s+(?:is|are)|define)\b", question, re.I))


_QUESTION_FORMS = (
    r"^(?:what|who)\s+(?:is|are|was|were)\s+(?P<s>.+?)(?:,\s+(?:and|or)\s+|\s+and\s+(?:how|why|what|when|"
    r"which|where|its|their|it|they)\b|\?|$)",
    r"^(?:how|why|when|where)\s+(?:does|do|did|is|are|can|could|should|would|will)\s+(?!you\b|we\b|one\b)"
    r"(?P<s>.+?)\s+(?:differ|work|help|handle|compare|improve|affect|prevent|learn|process|use|make|"
    r"relate|complement|solve|deal|cope|train|behave|get|reduce|cause|lead|matter)\w*\b",
    r"^(?:how|what)\s+(?:do|does|would|could|can|should|will|might)\s+(?:you|we|one)\s+"
    r"(?:\w+(?:-\w+)?)\s+(?P<s>.+?)(?:\s+(?:in|for|during|when|so|to|with|without|across)\s+.+)?(?:\?|$)",
    r"^(?:explain|define|describe|discuss|compare|outline|introduce|walk\s+through)\s+(?P<s>.+?)"
    r"(?:,|\s+and\s+(?:its|their|how|why|what|when|which)\b|\.|\?|$)",
)
_SUBJECT_PREFIX = re.compile(
    r"^(?:the\s+)?(?:concept|idea|notion|role|purpose|importance|meaning|use|architecture|structure)"
    r"\s+of\s+|^the\s+",
    re.I,
)


def question_subject(question: str) -> str | None:
    """What the question is about ("What is a perceptron?" -> "a perceptron"), or None when the
    question names several things or none."""
    text = clean_text(question).rstrip("?.! ")
    text = re.sub(r"\s*[-\u2013\u2014]+\s+|\s+[-\u2013\u2014]+\s*", " - ", text)
    if " - " in text:  # "Your model is overfitting - what would you do?"
        text = text.split(" - ")[-1]
    if re.search(r"\b(?:difference|differences)\s+between\b|\bvs\.?\b|\bversus\b", text, re.I):
        return None
    for pattern in _QUESTION_FORMS:
        match = re.match(pattern, text, re.I)
        if match:
            found = _trim_subject(match.group("s"))
            return found or None
    return None


def _trim_subject(text: str) -> str:
    text = re.sub(r"\s*\([^)]*\)", "", text).strip(" ,")
    if "," in text:
        return ""  # several things: "epochs, batch size, and iterations"
    text = _SUBJECT_PREFIX.sub("", text)
    text = re.sub(r"\s+(?:in|used\s+in|for|within)\s+(?:\S+\s*){1,3}$", "", text, flags=re.I)
    text = re.sub(r"\s+and\s+(?:its|their)\s+.*$", "", text, flags=re.I)
    words = text.split()
    return " ".join(words) if 0 < len(words) <= 6 else ""


def asks_for_actions(question: str) -> bool:
    """'How do you ...?', 'What would you do ...?': answers are steps, often imperative."""
    return bool(re.search(r"\b(?:you|we|one)\s+(?:\w+\s+)?(?:do|take|handle|deal|use|approach|tackle|"
                          r"deploy|fine-tune|implement|optimi[sz]e|make|put|choose|fix|improve|reduce|"
                          r"prevent|stop|avoid|speed)\b|\bsteps?\b", question, re.I))
