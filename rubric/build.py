"""Build a rubric from an answer intent and/or a reference answer: local, deterministic, no LLM.

    intent     -> instruction verbs stripped -> claims ("explain that X ...") and topics ("the role of X")
    reference  -> sentences, pronouns resolved to their subject
    both       -> atomic claims: coordinated predicates, clause lists and technique lists split,
                  the subject repeated in each -> near-duplicates merged by meaning (the model)
               -> the claims the intent asks for and implies, weighted, as key points

English is handled by rules over a word lexicon (lemminflect): no parser, no network, and the same
input always gives the same rubric.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np

from rubric.errors import InvalidRubricError
from rubric.models import ID_PATTERN, MAX_KEY_POINTS, MAX_POINT_CHARS, KeyPoint, Question

if TYPE_CHECKING:
    from evaluator.embedding import Embedder

# Two candidate points this similar say the same thing: the later becomes an alternative phrasing.
DUPLICATE_SIMILARITY = 0.80
# A reference claim this close to something the intent asks for is implied by the intent.
IMPLIED_SIMILARITY = 0.50
# A reference claim farther than this from the question and the intent is off the point.
RELEVANT_SIMILARITY = 0.25
MAX_ALTERNATIVES = 2
DEFAULT_MAX_POINTS = 8
MAX_POINT_WORDS = 40

Source = Literal["intent", "topic", "reference"]


# --------------------------------------------------------------------------------------------
# Public entry point


def build_rubric(
    question: str,
    intent: str | None = None,
    reference_answer: str | None = None,
    id: str | None = None,  # noqa: A002 - the field is called id everywhere else
    embedder: Embedder | None = None,
    *,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Question:
    """A question with key points built from its answer intent, its reference answer, or both.

    Raises InvalidRubricError when the question is empty, neither source text is given, or
    nothing checkable can be drawn from them.
    """
    question_text = _clean(question or "")
    intent_text = _clean(intent or "") or None
    reference_text = _clean(reference_answer or "") or None
    _check_inputs(question_text, intent_text, reference_text, id, max_points)

    subject = question_subject(question_text)
    candidates = draw_candidates(question_text, intent_text, reference_text, subject)
    if not candidates:
        raise InvalidRubricError("no checkable statement found in the intent or the reference answer")
    claims = [c for c in candidates if c.source != "topic"]
    model = embedder if embedder is not None else default_embedder()
    # Topics ("the role of X") only steer which reference claims count as implied; they become
    # points themselves only when nothing checkable was found.
    topics = [c for c in candidates if c.source == "topic"]
    points = _select_points(question_text, claims or candidates, model, max_points, topics=topics)
    return Question(
        id=id or slug(question_text),
        text=question_text,
        intent=intent_text,
        key_points=tuple(points),
        reference_answer=reference_text,
    )


_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The bundled sentence-transformer, loaded on first use and kept for the process."""
    with _default_lock:
        return _load_default_embedder()


@lru_cache(maxsize=1)
def _load_default_embedder() -> Embedder:
    from evaluator.embedding import CachingEmbedder, make_embedder

    return CachingEmbedder(make_embedder())


def _check_inputs(
    question: str, intent: str | None, reference: str | None, point_id: str | None, max_points: int
) -> None:
    problems = []
    if len(question) < 3:
        problems.append("question: the question text is empty")
    if intent is None and reference is None:
        problems.append("give an answer intent, a reference answer, or both")
    limits = {"question": (question, 1000), "intent": (intent, 2000), "reference_answer": (reference, 5000)}
    for name, (text, limit) in limits.items():
        if text and len(text) > limit:
            problems.append(f"{name}: longer than {limit} characters ({len(text)})")
    if point_id is not None and not re.fullmatch(ID_PATTERN, point_id):
        problems.append(f"id: {point_id!r} must be lower-case letters, digits and dashes (at most 64)")
    if not 1 <= max_points <= MAX_KEY_POINTS:
        problems.append(f"max_points: must be between 1 and {MAX_KEY_POINTS}")
    if problems:
        raise InvalidRubricError("; ".join(problems))


# --------------------------------------------------------------------------------------------
# Candidates: the claims and topics drawn from the texts


@dataclass(frozen=True, slots=True)
class Candidate:
    """One checkable statement, where it came from, and its place in the source text."""

    text: str
    source: Source
    order: int
    group: int = 0  # claims split from one statement share a group: they differ by construction
    core: str | None = None  # the claim without the purpose added to it, to compare claims by


def draw_candidates(
    question: str, intent: str | None, reference: str | None, subject: str | None = None
) -> list[Candidate]:
    """Every atomic claim (and, from the intent, topic) in the texts, in reading order."""
    if subject is None:
        subject = question_subject(question)
    imperative = _asks_for_actions(question)
    drawn: list[tuple[str, Source, int, str | None]] = []
    if intent:
        statements = intent_statements(intent, subject, _is_definition_question(question))
        for group, (text, source) in enumerate(statements):
            claims = split_claim(text, subject) if source == "intent" else [text]
            drawn.extend((claim, source, group, None) for claim in claims)
    if reference:
        goal = question_goal(question) if imperative else None
        for group, sentence in enumerate(resolve_pronouns(_sentences(reference), subject), start=len(drawn) + 1):
            claims = [
                _name_the_subject(c, subject)
                for clause in _split_contrast(sentence)
                for c in split_claim(clause, subject, imperative)
            ]
            purposed = with_purpose(claims, goal) if imperative else claims
            drawn.extend(
                (claim, "reference", group, core if claim != core else None)
                for claim, core in zip(purposed, claims)
            )
    out: list[Candidate] = []
    seen: set[str] = set()
    for text, source, group, core in drawn:
        text = _finish(text)
        if text.lower() not in seen and _is_checkable(text, source, subject):
            seen.add(text.lower())
            out.append(Candidate(text, source, len(out), group, _finish(core) if core else None))
    return out


_BACK_REFERENCE = re.compile(
    r"\b(?:these|those|such|both)\s+(?:issues|problems|challenges|effects)\b"
    r"|^(?:without|with)\s+(?:them|it)\b",
    re.I,
)


def _name_the_subject(claim: str, subject: str | None) -> str:
    """'... help prevent these issues' -> '... help prevent vanishing and exploding gradients', and
    'Without them, ...' -> 'Without activation functions, ...', when the question names the subject."""
    if not subject:
        return claim

    def name(match: re.Match[str]) -> str:
        lead = re.match(r"(?i)(without|with)\s+", match.group(0))
        return f"{lead.group(1)} {_bare(subject)}" if lead else _bare(subject)

    return _BACK_REFERENCE.sub(name, claim)


_PURPOSE = re.compile(r"\s+(?:(?:in\s+order\s+)?to|so\s+(?:that|as\s+to))\s+(?P<verb>[\w-]+)\b.*$", re.I)


def _purpose(claim: str) -> str | None:
    """The purpose clause a claim ends with ('... to reduce inference time'), or None."""
    for match in _PURPOSE.finditer(claim):
        verb = match.group("verb").lower()
        if verb.startswith("that") or verb in ("as",) or (_can_be_verb(verb) and _lemma(verb) == verb):
            return match.group(0).strip()
    return None


def with_purpose(claims: list[str], goal: str | None) -> list[str]:
    """Steps of one sentence ('Use A, B, or C to reduce X') each carry the purpose the sentence
    states, else the question's goal: 'Use pruning.' alone says too little to check."""
    steps = [_is_step(c) for c in claims]
    if not any(steps):
        return claims
    shared = _purpose(claims[-1]) if steps[-1] else None
    if shared:  # the purpose, without its hedges: "to reduce X (without significant loss)"
        shared = re.split(r"\s+(?:without|while|whilst)\s+|,", shared, maxsplit=1)[0]
    out = []
    for claim, step in zip(claims, steps):
        purpose = None if not step or _purpose(claim) else shared or goal
        if purpose and purpose == goal and claim.split()[0].lower() in goal.lower().split():
            purpose = None  # "Deploy on cloud ... to deploy a model": says nothing more
        out.append(f"{claim.rstrip(' .;:')} {purpose}" if purpose else claim)
    return out


def _is_step(claim: str) -> bool:
    """An imperative: 'Use pruning', 'Reduce batch size' (not 'Batch size is ...')."""
    words = claim.split()
    first = words[0].lower() if words else ""
    verb = _can_be_verb(first) or (not _tags(first) and re.search(r"(?:ize|ise|ify)$", first) is not None)
    return verb and _lemma(first) == first and first not in _AUX | _MODALS and not _has_own_subject(words)


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
    text = _clean(question).rstrip("?.! ")
    situation = _SITUATION_ASK.match(text)
    if situation and _says_nothing(situation.group("ask"), _FIX_VERBS):
        return f"when {_lowercase_start(situation.group('situation').strip())}"
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
    return set(re.findall(r"[a-z]+", ask.lower())) <= _EMPTY_ASK | _STOPWORDS | also


# --------------------------------------------------------------------------------------------
# The intent: instruction verbs off, claims ("that ...", "how ...") and topics ("the role of ...")

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
_NEXT_INSTRUCTION = re.compile(rf"\s*(?:;|,?\s+and\s+|,\s+)(?=(?:{_INSTRUCTIONS})(?:e?s)?\s)", re.I)
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
    for sentence in _sentences(intent):
        for piece in _NEXT_INSTRUCTION.split(sentence):
            comparing = bool(re.match(r"\s*(?:compare|contrast|differentiate|distinguish)", piece, re.I))
            piece = _strip_instruction(piece)
            if not piece:
                continue
            complement = _COMPLEMENT.match(piece)
            if complement:
                clause = _resolve_one(piece[complement.end() :], previous, subject)
                for part in _split_contrast(clause):
                    out.append(_claim_or_topic(part, subject, complement.group(1)))
                previous = sentence_subject(clause) or previous
            else:
                out.extend(topic_statements(piece, subject, definition and not comparing))
    return out


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
    informative = _content_words(clause) - _content_words(subject or "")
    if verb is None or len(informative) < 2:
        return (f"{wh} {clause}", "topic")
    return (clause, "intent")


def topic_statements(piece: str, subject: str | None, definition: bool = False) -> list[tuple[str, Source]]:
    """A noun-phrase intent ("the structure of X, including A, B, and how X does C") as topics,
    with any embedded how/why/that clause taken as a claim."""
    as_claim = re.match(r"^(?P<a>[\w\s'-]+?)\s+as\s+(?P<b>(?:a|an|the)\s+.+)$", piece, re.I)
    if as_claim and subject and _content_words(as_claim.group("a")) & _content_words(subject):
        # "dropout as a technique to ..." -> "Dropout is a technique to ..."
        a = as_claim.group("a")
        return [(f"{a} {'are' if _is_plural(a) else 'is'} {as_claim.group('b')}", "intent")]
    parts = re.split(r",?\s+(?:including|especially|notably|in\s+particular)\s+", piece, maxsplit=1, flags=re.I)
    items = [i for part in parts for item in _split_list(part) for i in _WH_AND.split(item)]
    if definition and subject and len(items) == 1 and not _mentions(items[0], subject) and " and " not in items[0]:
        head = _head_noun(re.sub(r"^(?:the|a|an)\s+", "", items[0], flags=re.I))
        if head not in _ASPECTS:
            return [(f"{subject} {'are' if _is_plural(subject) else 'is'} {items[0]}", "intent")]
    out: list[tuple[str, Source]] = []
    for item in items:
        complement = _COMPLEMENT.match(item)
        if complement:
            clause = _resolve_one(item[complement.end() :], subject, subject)
            out.append(_claim_or_topic(clause, subject, complement.group(1)))
        else:
            out.append((_topic_phrase(item, subject), "topic"))
    return out


_WH_AND = re.compile(r"\s+and\s+(?=(?:how|why|when|whether)\s)", re.I)


def _topic_phrase(item: str, subject: str | None) -> str:
    item = _possessive_pronouns(item, subject)
    item = re.sub(r"^(?:the|a|an)\s+", "", item, flags=re.I)
    if subject and not _mentions(item, subject):
        item = f"{_bare(subject)}: {item}"
    return item


def _is_definition_question(question: str) -> bool:
    return bool(re.match(r"^\s*(?:what\s+(?:is|are)|define)\b", question, re.I))


# --------------------------------------------------------------------------------------------
# Sentences, subjects, pronouns

_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx)\.", re.I)


def _sentences(text: str) -> list[str]:
    from evaluator.segment import split_sentences  # evaluator imports rubric: import late

    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    return [s.text.replace("\x00", ".") for s in split_sentences(protected)]


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
    text = _clean(question).rstrip("?.! ")
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


_SUBJECT_PRONOUNS = {"it": False, "this": False, "they": True, "these": True, "those": True}


def sentence_subject(sentence: str) -> str | None:
    """The words before the main verb, if they make a plausible noun phrase."""
    words = sentence.split()
    verb = find_verb(words)
    if verb is None or verb == 0:
        return None
    found = _subject_words(words, verb)
    if not found or found.lower() in _SUBJECT_PRONOUNS or "," in found or len(found.split()) > 8:
        return None
    return found


def _subject_words(words: Sequence[str], verb: int) -> str:
    """The subject before `verb`: without trailing adverbs or a leading phrase set off by a comma."""
    end = verb
    while end > 0 and _is_adverb(words[end - 1]):
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
        resolved = _resolve_one(sentence, first, previous or subject, subject)
        out.append(resolved)
        own = sentence_subject(resolved)
        if own:
            previous = own
            if first is None and not _is_generic(own):
                first = own
    return out


def _resolve_one(sentence: str, *antecedents: str | None) -> str:
    words = sentence.split()
    if len(words) < 2:
        return sentence
    lead = re.match(r"^([^,]{3,60}),\s+(?=(?:it|they)\s)", sentence, re.I)
    if lead:  # "Common in NLP tasks, it is ..."
        return f"{lead.group(1)}, {_lowercase_start(_resolve_one(sentence[lead.end():], *antecedents))}"
    first = words[0].lower().strip(",")
    if first in ("its", "their"):
        antecedent = _agreeing(first == "their", antecedents)
        return f"{_possessive(antecedent)} {' '.join(words[1:])}" if antecedent else sentence
    if first not in _SUBJECT_PRONOUNS:
        return sentence
    rest = words[1:]
    if not _pronoun_is_subject(words):
        # "These approaches keep ...": a determiner; replace it and a generic noun after it.
        if len(words) < 3 or not _is_generic(words[1]) or not _can_be_verb(words[2]):
            return sentence
        rest = words[2:]
    if first == "this":  # stands for the whole previous statement: take its topic, any number
        antecedent = next((a for a in antecedents if a and a.lower() not in _SUBJECT_PRONOUNS), None)
    else:
        antecedent = _agreeing(_SUBJECT_PRONOUNS[first], antecedents)
    if antecedent is None:
        return sentence
    rest = [conjugate(rest[0], _is_plural(antecedent)), *rest[1:]]
    return " ".join([_capitalise(antecedent), *rest])


def _lowercase_start(text: str) -> str:
    first = text.split(maxsplit=1)[0] if text else ""
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


def _pronoun_is_subject(words: Sequence[str]) -> bool:
    if words[0].lower() in ("it", "they"):
        return True
    second = words[1].lower().strip(",")
    if second in _AUX or second in _MODALS or _is_adverb(second):
        return True
    if not _can_be_verb(second) or second.endswith(("ing", "ed")):
        return False
    if _can_be_noun(second) and len(words) > 2:
        third = words[2].lower().strip(",")
        return not (_can_be_verb(third) and not third.endswith(("ing", "ed")) and third not in _FUNCTION_WORDS)
    return True


def _agreeing(plural: bool, antecedents: Sequence[str | None]) -> str | None:
    known = [a for a in antecedents if a and a.lower() not in _SUBJECT_PRONOUNS]
    for candidate in known:
        if _is_plural(candidate) == plural:
            return candidate
    if plural and known and re.fullmatch(r"(?:(?:a|an)\s+)?[\w-]+(?:\s+[\w-]+){0,3}", known[-1]):
        return _pluralise(known[-1])  # "they" for "a neural network": neural networks
    return None


def _pluralise(noun_phrase: str) -> str:
    words = _bare(noun_phrase).split()
    last = words[-1]
    if re.fullmatch(r"[A-Z0-9]+", last):
        words[-1] = last + "s"
    else:
        ending = "es" if last.endswith(("s", "x", "ch", "sh")) else "s"
        words[-1] = re.sub(r"(?<=[^aeiou])y$", "ie", last) + ending
    return " ".join(words)


def _possessive(noun: str) -> str:
    noun = _bare(noun)
    return f"{noun}'" if noun.endswith("s") else f"{noun}'s"


def _possessive_pronouns(text: str, subject: str | None) -> str:
    if not subject:
        return text
    return re.sub(r"\b(its|their)\s+", lambda m: _possessive(subject) + " ", text, flags=re.I)


# --------------------------------------------------------------------------------------------
# Claims: split lists and coordinated predicates, keep the subject explicit

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
    if not match or _lemma(match.group("verb").lower()) not in _EFFECT_VERBS:
        return [clause]
    first = clause[: match.start()].strip(" ,")
    subject = sentence_subject(first)
    if not subject:
        return [clause]
    verb = conjugate(match.group("verb"), _is_plural(subject))
    return [first, f"{subject} {verb} {match.group('rest')}"]


def _split_contrast(clause: str) -> list[str]:
    """'X does A, unlike Y which relies on B' -> ['X does A', 'Y relies on B'] (and whereas/while),
    and 'X does A, which reduces B' -> ['X does A', 'X reduces B']."""
    effect = _split_effect(clause)
    if len(effect) > 1:
        return [*_split_contrast(effect[0]), *effect[1:]]
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
    return [*_split_contrast(first), *_split_contrast(second.strip())]


_SPLIT_HEADS = {
    "technique", "method", "strategy", "approach", "defense", "defence", "solution", "step",
    "way", "measure", "remedy", "trick", "fix", "option", "practice", "mechanism",
}
_GENERIC_HEADS = _SPLIT_HEADS | {"application", "variant", "example", "use", "type", "kind", "tool", "task"}
_GENERIC_MODIFIERS = {
    "common", "other", "key", "main", "typical", "popular", "prevention", "several", "various",
    "some", "many", "practical", "useful", "important", "these", "such", "both", "the", "standard",
    "major", "possible", "real-world", "regularization", "optimization", "mitigation",
}
_LIST_VERBS = {"include", "involve", "comprise", "be", "cover", "encompass", "span"}
_SEPARATOR = re.compile(r"\s*;\s*|,\s+(?:and|or|as\s+well\s+as)\s+|,\s+|\s+(?:and|or)\s+", re.I)
_GAP = re.compile(r"^(?P<np>[^,]+?)\s+(?P<prep>for|in|on|to|with|by)\s+(?P<rest>.+)$", re.I)


@dataclass(slots=True)
class _Piece:
    kind: str  # main, vp, clause, item (an imperative list item), gap (a gapped clause)
    text: str

    @property
    def verb(self) -> str:
        words = self.text.split()
        lead = 0
        while lead < len(words) - 1 and _is_adverb(words[lead]):
            lead += 1
        return words[lead].lower() if words else ""


def split_claim(clause: str, subject: str | None = None, imperative: bool = False) -> list[str]:
    """One sentence or clause -> atomic claims, each with its subject spelled out."""
    clause = clause.strip().rstrip(".;: ")
    words = clause.split()
    if not words:
        return []
    verb = find_verb(words, start=0 if imperative else 1)
    if verb is None:
        return [clause]
    claim_subject = _subject_words(words, verb)
    lead = " ".join(words[:verb])  # the subject with any adverbs before the verb
    plural = _is_plural(claim_subject) if claim_subject else True
    chunks = _split_top_level(" ".join(words[verb:]), _SEPARATOR)
    pieces = [_Piece("main", chunks[0][1])]
    for separator, chunk in chunks[1:]:
        kind = _chunk_kind(chunk, separator, pieces, verb == 0)
        if kind == "np":
            pieces[-1].text += separator + chunk
        else:
            pieces.append(_Piece(kind, _strip_conjunction(chunk)))
    out: list[str] = []
    for piece in pieces:
        if piece.kind == "main":
            out.append(f"{lead} {piece.text}".strip())
        elif piece.kind == "clause":
            out.extend(split_claim(_resolve_one(piece.text, claim_subject, subject), subject, imperative))
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
    words = _strip_conjunction(chunk).split()
    if not words or (len(pieces) == 1 and len(pieces[0].text.split()) == 1):
        return "np"  # "stabilizes and accelerates training": one shared object
    comma = "," in separator or ";" in separator
    lead = 0
    while lead < len(words) - 1 and _is_adverb(words[lead]):
        lead += 1
    first = words[lead].lower().strip(",")
    last_verb = next(p.verb for p in reversed(pieces) if p.kind in ("main", "vp"))
    own_verb = find_verb(words, start=1)
    gerund_subject = words[0].lower().endswith("ing")
    has_clause = (
        comma
        and own_verb is not None
        and own_verb < len(words) - 1
        and words[0].lower() not in _FUNCTION_WORDS - {"it", "they", "this", "these"}
        and (not _can_be_verb_only(words[0]) or gerund_subject)
        and (not gerund_subject or _is_finite_only(words[own_verb]))
    )
    if first.endswith("ing") and _can_be_verb(first) and not has_clause and len(words) > lead + 1:
        if comma:
            return "vp" if _is_participle(words, lead, pieces) else "np"
        previous_word = pieces[-1].text.split()[-1].lower()
        if last_verb.endswith("ing") and last_verb != pieces[0].verb and not previous_word.endswith("ing"):
            return "vp"  # "..., forcing A and preventing B"
        return "np"
    if imperative:
        if comma and _can_be_verb(first) and _lemma(first) == first and len(words) > 1:
            nxt = words[1].lower()
            if not _can_be_noun(first) or _can_be_verb_only(first) or nxt in _DETERMINERS or nxt in _PRONOUNS \
                    or nxt in _PREPOSITIONS or _is_adjective_only(nxt) or _is_adverb(nxt) or "-" in nxt:
                return "vp"
        if comma and not _tags(first) and len(words) > 1 and words[1].lower() in _PREPOSITIONS:
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


def _is_participle(words: list[str], lead: int, pieces: list[_Piece]) -> bool:
    """', improving convergence' (a participle clause) versus ', pooling layers to ...' (a list
    item parallel to the object) and 'include oversampling A, using B' (gerund objects)."""
    head = pieces[0].verb
    if _lemma(head) in _LIST_VERBS - {"be"} or _starts_with_gerund(pieces[0].text.split()[1:]):
        return False
    following = words[lead + 1].lower().strip(",").rstrip("s")
    main_object = pieces[0].text.split(maxsplit=1)[-1].lower()
    shared = {w.rstrip("s") for w in re.findall(r"[a-z-]+", main_object)}
    return following in _FUNCTION_WORDS or following not in shared


def _continues_predicate(words: list[str], last_verb: str, comma: bool, lenient: bool) -> bool:
    """Does this chunk start a predicate parallel to the last one ('... and helps B')?"""
    first = words[0].lower().strip(",")
    nxt = words[1].lower().strip(",")
    if first in _AUX or first in _MODALS:
        return last_verb in _AUX or last_verb in _MODALS or _same_form(first, last_verb)
    if not _can_be_verb(first) or _is_participle_form(first):
        return False
    if comma and _can_be_verb_only(first):
        return True  # "..., enables B": a verb whatever its number
    if not _same_form(first, last_verb) and last_verb not in _MODALS:
        return False
    if _can_be_noun(first) and not (lenient and first.endswith("s")):
        return (
            nxt in _DETERMINERS
            or nxt in _PRONOUNS
            or _is_adjective_only(nxt)
            or _is_adverb(nxt)
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
    return _capitalise((general or verbs)[-1 if not general else 0].lower())


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
    lemma = _lemma(words[verb].lower())
    if lemma not in _LIST_VERBS:
        return [claim]
    obj = " ".join(words[verb + 1 :])
    groups = _split_top_level(obj, re.compile(r"\s*;\s*(?:and\s+|or\s+)?"))
    if len(groups) > 1:
        items = [text for _, text in groups]
    elif _head_noun(" ".join(words[:verb])) in _SPLIT_HEADS:
        items = _split_list(obj)
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
    examples = _split_list(match.group("examples"))
    if len(examples) < 2 or any(len(e.split()) > 5 for e in examples):
        return [claim]
    if _head_noun(head) in _SPLIT_HEADS and _is_plural(head):
        return [f"{_capitalise(e)} {_conjugate_phrase(predicate, _is_plural(e))}" for e in examples]
    listed = ", ".join(examples[:-1]) + f", and {examples[-1]}" if len(examples) > 2 else " and ".join(examples)
    return [f"{head} {predicate}", f"{_capitalise(listed)} are {_lowercase_start(_bare(head))}"]


_LIST_SEPARATOR = re.compile(r",\s+(?!which\b|who\b|that\b)(?:and\s+|or\s+)?|;\s*(?:and\s+)?", re.I)


def _split_list(text: str) -> list[str]:
    """'A, B, and C' -> [A, B, C]; 'A and B' stays whole (it is often one idea)."""
    parts = _split_top_level(text, _LIST_SEPARATOR)
    items = [re.sub(r"^(?:and|or)\s+", "", t.strip(), flags=re.I) for _, t in parts]
    return [i for i in items if i]


def _qualify(claim: str, subject: str | None) -> str:
    """'Techniques include X' -> 'Techniques for <subject> include X' when nothing names the subject."""
    if not subject or _mentions(claim, subject):
        return claim
    words = claim.split()
    verb = find_verb(words)
    if verb is None or verb == 0:
        return claim
    head = _head_noun(" ".join(words[:verb]))
    modifiers = [w.lower().strip(",") for w in words[: verb - 1]]
    if head not in _GENERIC_HEADS or not all(m in _GENERIC_MODIFIERS for m in modifiers):
        return claim
    link = "of" if head in {"application", "variant", "example", "use", "type", "kind"} else "for"
    return " ".join([*words[:verb], link, _bare(subject), *words[verb:]])


def _join(subject: str, predicate: str) -> str:
    return f"{subject} {predicate}".strip() if subject else predicate


def _conjugate_phrase(predicate: str, plural: bool) -> str:
    words = predicate.split()
    index = 0
    while index < len(words) - 1 and _is_adverb(words[index]):
        index += 1
    words[index] = conjugate(words[index], plural)
    return " ".join(words)


def _strip_conjunction(text: str) -> str:
    return re.sub(
        r"^\s*(?:,\s*)?(?:and|or|but|as\s+well\s+as|then|also|thus|so|ultimately|further)\s+",
        "", text, flags=re.I,
    ).strip()


def _starts_with_gerund(words: list[str]) -> bool:
    for word in words[:3]:
        w = word.lower().strip(",")
        if w in _DETERMINERS or _is_adjective_only(w):
            continue
        return w.endswith("ing") and len(w) > 5
    return False


# --------------------------------------------------------------------------------------------
# Words: a verb finder and agreement, over lemminflect's lexicon

_AUX = {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did", "be", "been"}
_MODALS = {"can", "could", "may", "might", "must", "shall", "should", "will", "would"}
_DETERMINERS = {
    "a", "an", "the", "this", "that", "these", "those", "each", "every", "its", "their", "his", "her",
    "our", "your", "my", "some", "any", "no", "all", "both", "many", "more", "most", "several",
    "one", "two", "three", "few", "fewer", "less", "much", "such", "other", "another",
}
_PRONOUNS = {"it", "they", "them", "we", "you", "he", "she", "itself", "themselves"}
_PREPOSITIONS = {
    "of", "in", "on", "at", "by", "for", "with", "from", "to", "into", "onto", "over", "under",
    "like", "via", "through", "between", "among", "across", "about", "as", "per", "than", "without",
    "within", "during", "after", "before", "toward", "towards", "against", "using", "including",
}
_FUNCTION_WORDS = _DETERMINERS | _PRONOUNS | _PREPOSITIONS | {
    "and", "or", "but", "not", "to", "which", "that", "who", "how", "why",
}


@lru_cache(maxsize=8192)
def _tags(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word.lower().strip(",.;:()")))


def _can_be_verb(word: str) -> bool:
    return "VERB" in _tags(word) or word.lower() in _AUX


def _can_be_noun(word: str) -> bool:
    return "NOUN" in _tags(word)


def _can_be_verb_only(word: str) -> bool:
    tags = _tags(word)
    return "VERB" in tags and not tags & {"NOUN", "ADJ", "ADV", "PROPN"}


def _is_adjective_only(word: str) -> bool:
    return _tags(word) == frozenset({"ADJ"})


def _is_adverb(word: str) -> bool:
    w = word.lower().strip(",")
    tags = _tags(w)
    return "ADV" in tags and "VERB" not in tags and "NOUN" not in tags and w not in _FUNCTION_WORDS


def find_verb(words: Sequence[str], start: int = 1) -> int | None:
    """Index of the main (finite, present-tense) verb of a clause, or None. Heuristic, over the
    lexicon's possible parts of speech; `start=0` lets the first word be an imperative verb."""
    lowered = [w.lower().strip(",;:()\"'") for w in words]
    for i in range(start, len(lowered)):
        w = lowered[i]
        back = i - 1
        while back > 0 and _is_adverb(lowered[back]):
            back -= 1  # "dropout randomly switches": look past the adverb
        prev = lowered[back] if i else ""
        nxt = lowered[i + 1] if i + 1 < len(lowered) else ""
        if w in _AUX or w in _MODALS:
            return i
        if not w or w in _FUNCTION_WORDS or not _can_be_verb(w) or _is_participle_form(w):
            continue
        if i == 0:
            if _lemma(w) == w and not _can_be_verb_only(nxt) and not _has_own_subject(words):
                return 0
            continue
        if prev in ("they", "we", "you", "i"):
            return i if not w.endswith("s") else None
        if prev in _DETERMINERS or prev in _PREPOSITIONS or _is_adjective_only(prev) or prev == "to":
            continue
        if _can_be_verb_only(w):
            return i
        # A word that is a noun too: "uses", "process", "functions", "help".
        plural_noun = w.endswith("s") and not w.endswith("ss") and _can_be_noun(w)
        if plural_noun and nxt and (_is_finite_only(nxt) or nxt in _AUX or nxt in _MODALS):
            continue  # "loss functions quantify": the noun, then the verb
        if w.endswith("s") and not w.endswith("ss"):
            if nxt in ("of", "like", "such", "to"):
                continue
            if nxt and _can_be_verb(nxt) and _lemma(nxt) == nxt and _can_be_noun(nxt) and plural_noun:
                continue  # "networks use"
            if _can_end_noun_phrase(prev):
                return i
        elif _is_plural(prev):
            return i
    return None


def _is_participle_form(word: str) -> bool:
    """-ing, or a past form ('designed', 'hidden'): not a finite present-tense verb here."""
    if word.endswith("ing"):
        return True
    return not word.endswith("s") and _lemma(word) != word and word not in _AUX


def _is_finite_only(word: str) -> bool:
    return _can_be_verb_only(word) and not _is_participle_form(word)


def _has_own_subject(words: Sequence[str]) -> bool:
    """'Transfer learning uses ...': a later verb agrees with the first words as its subject, so
    the first word is not an imperative."""
    later = find_verb(words, start=1)
    if later is None:
        return False
    before = " ".join(words[:later])
    verb = words[later].lower().strip(",")
    return "," not in before and (verb.endswith("s") or verb in _AUX or verb in _MODALS)


def _can_end_noun_phrase(word: str) -> bool:
    if not word or word in _FUNCTION_WORDS:
        return False
    tags = _tags(word)
    return not tags or "NOUN" in tags or "PROPN" in tags or word.endswith("s") or "-" in word


@lru_cache(maxsize=4096)
def _lemma(word: str) -> str:
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
    if w in _MODALS:
        return word
    swaps = {"is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has",
             "does": "do", "do": "does"}
    if w in swaps:
        wanted = {"is", "was", "has", "does"} if not plural else {"are", "were", "have", "do"}
        return w if w in wanted else swaps[w]
    if not _can_be_verb(w):
        return word
    lemma = _lemma(w)
    if plural:
        return lemma
    from lemminflect import getInflection

    forms = getInflection(lemma, tag="VBZ")
    return forms[0] if forms else word


_PLURAL_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z0-9]s$")


def _is_plural(noun_phrase: str) -> bool:
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
        if w.lower().strip(",") in _PREPOSITIONS or w.lower() in ("that", "which", "who", "such"):
            break
        kept.append(w.strip(",;:"))
    return kept[-1] if kept else ""


def _head_noun(noun_phrase: str) -> str:
    head = _head_word(noun_phrase).lower()
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("ses", "s"), ("s", "")):
        if head.endswith(suffix) and len(head) > 3:
            return head[: -len(suffix)] + replacement
    return head


def _is_generic(noun_phrase: str) -> bool:
    return _head_noun(noun_phrase) in _GENERIC_HEADS


def _asks_for_actions(question: str) -> bool:
    """'How do you ...?', 'What would you do ...?': answers are steps, often imperative."""
    return bool(re.search(r"\b(?:you|we|one)\s+(?:\w+\s+)?(?:do|take|handle|deal|use|approach|tackle|"
                          r"deploy|fine-tune|implement|optimi[sz]e|make|put|choose|fix|improve|reduce|"
                          r"prevent|stop|avoid|speed)\b|\bsteps?\b", question, re.I))


# --------------------------------------------------------------------------------------------
# Text helpers

_STOPWORDS = _FUNCTION_WORDS | _AUX | _MODALS | {"also", "very", "often", "usually", "can", "used", "use"}


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower())
    return {w.rstrip("s") for w in words if w not in _STOPWORDS and len(w) > 1}


def _mentions(text: str, subject: str) -> bool:
    """Does the text name the subject (all its content words, or its acronym: CNN for
    'convolutional neural network')?"""
    wanted = _content_words(_bare(subject))
    if not wanted:
        return False
    if wanted <= _content_words(text):
        return True
    words = re.findall(r"[A-Za-z]+", _bare(subject))
    acronym = "".join(w[0] for w in words).lower()
    return len(words) >= 2 and bool(re.search(rf"\b{acronym}s?\b", text, re.I))


def _bare(noun_phrase: str) -> str:
    return re.sub(r"^(?:a|an|the)\s+", "", noun_phrase.strip(), flags=re.I)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _clean(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def _finish(claim: str) -> str:
    claim = _strip_conjunction(claim.strip(" ,;:"))
    claim = re.sub(r"\s+([,.;:])", r"\1", claim)
    claim = _capitalise(claim.rstrip(".!?"))
    words = claim.split()
    if len(words) > MAX_POINT_WORDS:
        claim = " ".join(words[:MAX_POINT_WORDS]).rstrip(",;:")
    if len(claim) > MAX_POINT_CHARS - 1:
        claim = claim[: MAX_POINT_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return claim + "."


def _is_checkable(text: str, source: Source, subject: str | None) -> bool:
    """Enough content to check, and for a claim, something like a verb: drops fragments such as
    'Sequence tasks.' that a bad split would leave."""
    words = [w.lower().strip(",;:()") for w in text.rstrip(".").split()]
    content = _content_words(text)
    if source == "topic":
        return len(content) >= 2
    verbish = any(
        _can_be_verb(w) or (not _tags(w) and re.search(r"(?:ize|ise|ify|ate)$", w)) for w in words[:-1]
    )
    return len(words) >= 2 and bool(content) and verbish


# --------------------------------------------------------------------------------------------
# Selection: merge near-duplicates by meaning, keep what the intent asks for, weigh


@dataclass(slots=True)
class _Point:
    text: str
    source: Source
    order: int
    group: int
    vector: np.ndarray
    key: np.ndarray  # what duplicates are found by: the vector of the claim without an added purpose
    alternatives: list[str] = field(default_factory=list)
    weight: float = 1.0


def _select_points(
    question: str,
    candidates: list[Candidate],
    embedder: Embedder,
    max_points: int,
    topics: Sequence[Candidate] = (),
) -> list[KeyPoint]:
    extra = [t for t in topics if t not in candidates]
    cores = [c.core for c in candidates if c.core]
    vectors = embedder.encode([question, *(c.text for c in candidates), *(t.text for t in extra), *cores])
    question_vector = vectors[0]
    n, n_topics = len(candidates), len(extra)
    core_vectors = iter(vectors[n + n_topics + 1 :])
    vectors, topic_vectors = vectors[1 : n + 1], vectors[n + 1 : n + n_topics + 1]
    keys = [next(core_vectors) if c.core else vectors[i] for i, c in enumerate(candidates)]
    asked = np.array([c.source != "reference" for c in candidates], dtype=bool)
    intent_vectors = np.concatenate([vectors[asked], topic_vectors]) if len(topic_vectors) else vectors[asked]
    has_intent = len(intent_vectors) > 0

    points: list[_Point] = []
    # The intent's claims come first, then the reference's, then bare topics.
    rank = {"intent": 0, "reference": 1, "topic": 2}
    for i in sorted(range(len(candidates)), key=lambda i: (rank[candidates[i].source], candidates[i].order)):
        c, v = candidates[i], vectors[i]
        related = float(v @ question_vector)
        if c.source == "reference" and has_intent:
            implied = float((intent_vectors @ v).max())
            if max(related, implied) < RELEVANT_SIMILARITY and points:
                continue  # a detail of the reference that neither the question nor the intent asks for
        duplicate = _most_similar([p for p in points if p.group != c.group], keys[i])
        if duplicate is not None:
            if c.source != "topic" and len(duplicate.alternatives) < MAX_ALTERNATIVES:
                duplicate.alternatives.append(c.text)
            continue
        if c.source == "topic" and any(float(p.vector @ v) >= IMPLIED_SIMILARITY for p in points):
            continue  # the topic is already covered by a claim
        points.append(_Point(c.text, c.source, c.order, c.group, v, keys[i]))

    for p in points:
        p.weight = _weight(p, question_vector, intent_vectors if has_intent else None)
        if says_little(p.text, question):
            p.weight = 1.0
    points.sort(key=lambda p: (-p.weight, p.order))
    kept = sorted(points[:max_points], key=lambda p: p.order)
    ids = _point_ids([p.text for p in kept])
    return [
        KeyPoint(id=pid, text=p.text, weight=p.weight, alternatives=tuple(p.alternatives))
        for pid, p in zip(ids, kept)
    ]


# Words that say a claim is good news without saying what the news is: "improves performance".
_VAGUE_WORDS = {
    "performance", "accuracy", "accurate", "model", "improve", "improvement", "enhance", "better", "efficient",
    "efficiency", "effective", "effectively", "result", "task", "help", "ensure", "boost", "overall",
    "various", "different", "good", "robust", "robustness", "useful", "powerful", "significant", "significantly",
    "important", "key", "work", "well", "make", "allow", "enable", "lead", "achieve", "provide", "handle",
    "issue", "problem", "way", "thing", "deep", "learning", "neural", "network", "ai", "system", "approach",
    "proper", "right", "maintain", "optimize", "process", "benefit", "quality", "practical", "real-world",
}


def says_little(claim: str, question: str) -> bool:
    """A claim that adds fewer than two words of its own to the question, other than vague praise
    ('Attention heads enhance model performance'): a restatement, not knowledge to check."""
    own = _content_words(claim) - _content_words(question)
    return len({w for w in own if w not in _VAGUE_WORDS and _lemma(w) not in _VAGUE_WORDS}) < 2


def _most_similar(points: list[_Point], vector: np.ndarray) -> _Point | None:
    best, best_similarity = None, DUPLICATE_SIMILARITY
    for p in points:
        similarity = float(p.key @ vector)
        if similarity >= best_similarity:
            best, best_similarity = p, similarity
    return best


def _weight(point: _Point, question_vector: np.ndarray, intent_vectors: np.ndarray | None) -> float:
    """3 for what the intent states, 2 for what it implies or what answers the question head-on, else 1."""
    if point.source == "intent":
        return 3.0
    if point.source == "topic":
        return 2.0
    has_intent = intent_vectors is not None and len(intent_vectors) > 0
    implied = float((intent_vectors @ point.vector).max()) if has_intent else 0.0
    related = float(point.vector @ question_vector)
    if implied >= 0.6 or related >= 0.6:
        return 3.0
    if implied >= IMPLIED_SIMILARITY or related >= 0.45:
        return 2.0
    return 1.0


def _point_ids(texts: list[str]) -> list[str]:
    ids: list[str] = []
    for text in texts:
        words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS]
        base = "-".join(words[:4])[:40].strip("-") or "point"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def slug(text: str, max_length: int = 48) -> str:
    """A question id from its text: 'What is dropout?' -> 'what-is-dropout'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > max_length:
            break
        out = f"{out}-{word}" if out else word
    return out or "question"
