"""Build a rubric from an answer intent and/or a reference answer: local, deterministic, no LLM.

    intent     -> instruction verbs stripped -> claims ("explain that X ...") and topics   rubric.intent
    reference  -> sentences, pronouns resolved to their subject                           rubric.pronouns
    both       -> atomic claims: coordinated predicates, clause lists and technique lists rubric.claims
                  split, the subject repeated in each; steps carry their purpose          rubric.steps
               -> near-duplicates merged by meaning (the model), the claims the intent    rubric.selection
                  asks for and implies kept and weighted, as key points

English is handled by rules over a word lexicon (lemminflect, rubric.grammar): no parser, no
network, and the same input always gives the same rubric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rubric.claims import split_claim, split_contrast
from rubric.errors import InvalidRubricError
from rubric.grammar import can_be_verb, word_tags
from rubric.intent import (
    asks_for_actions, intent_statements, is_definition_question, question_goal, question_subject,
)
from rubric.models import ID_PATTERN, MAX_KEY_POINTS, MAX_POINT_CHARS, Question
from rubric.pronouns import name_the_subject, resolve_pronouns, resolve_sentence, sentence_subject
from rubric.selection import select_points
from rubric.steps import with_purpose
from rubric.text import bare, capitalise, clean_text, content_words, split_into_sentences, strip_conjunction

if TYPE_CHECKING:
    from rubric.embedder import Embedder


DEFAULT_MAX_POINTS = 8
MAX_POINT_WORDS = 40
Source = Literal["intent", "topic", "reference"]


def build_rubric(
    question: str,
    intent: str | None = None,
    reference_answer: str | None = None,
    id: str | None = None,  # noqa: A002 - the field is called id everywhere else
    *,
    embedder: Embedder,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Question:
    """A question with key points built from its answer intent, its reference answer, or both.

    Raises InvalidRubricError when the question is empty, neither source text is given, or
    nothing checkable can be drawn from them.
    """
    question_text = clean_text(question or "")
    intent_text = clean_text(intent or "") or None
    reference_text = clean_text(reference_answer or "") or None
    _check_inputs(question_text, intent_text, reference_text, id, max_points)

    subject = question_subject(question_text)
    candidates = draw_candidates(question_text, intent_text, reference_text, subject)
    if not candidates:
        raise InvalidRubricError("no checkable statement found in the intent or the reference answer")
    claims = [c for c in candidates if c.source != "topic"]
    # Topics ("the role of X") steer which reference claims count as implied; they become points
    # themselves only when no reference answer can fill them, or nothing checkable was found.
    topics = [c for c in candidates if c.source == "topic"]
    chosen = claims if claims and reference_text else candidates
    points = select_points(
        question_text, chosen, embedder, max_points, topics=topics, topics_as_points=reference_text is None
    )
    return Question(
        id=id or slug(question_text),
        text=question_text,
        intent=intent_text,
        key_points=tuple(points),
        reference_answer=reference_text,
    )


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
    imperative = asks_for_actions(question)
    drawn: list[tuple[str, Source, int, str | None]] = []
    if intent:
        statements = intent_statements(intent, subject, is_definition_question(question))
        for group, (text, source) in enumerate(statements):
            claims = split_claim(text, subject) if source == "intent" else [text]
            core = _topic_core(text, subject) if source == "topic" else None
            drawn.extend((claim, source, group, core) for claim in claims)
    if reference:
        goal = question_goal(question) if imperative else None
        sentences = resolve_pronouns(split_into_sentences(reference), subject)
        for group, sentence in enumerate(sentences, start=len(drawn) + 1):
            claims = [
                name_the_subject(c, subject)
                for clause in _clauses(sentence, subject)
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


def _topic_core(topic: str, subject: str | None) -> str | None:
    """'Autoencoders: purpose' -> 'purpose': what topics are told apart by, not the subject they share."""
    if not subject:
        return None
    core = re.sub(rf"^(?:the\s+)?{re.escape(bare(subject))}(?:'s|'|:)?\s+", "", topic, flags=re.I)
    return core if core != topic and content_words(core) else None


def _clauses(sentence: str, subject: str | None) -> list[str]:
    """The sentence cut at contrasts and semicolons; a pronoun that opens a later clause ("...; this
    stabilizes training") stands for the first clause's subject, or else the question's."""
    first, *rest = split_contrast(sentence)
    return [first, *(resolve_sentence(clause, sentence_subject(first), subject) for clause in rest)]


def _finish(claim: str) -> str:
    claim = strip_conjunction(claim.strip(" ,;:"))
    claim = re.sub(r"\s+([,.;:])", r"\1", claim)
    claim = capitalise(claim.rstrip(".!?"))
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
    content = content_words(text)
    if source == "topic":
        return len(content) >= 2
    verbish = any(
        can_be_verb(w) or (not word_tags(w) and re.search(r"(?:ize|ise|ify|ate)$", w)) for w in words[:-1]
    )
    return len(words) >= 2 and bool(content) and verbish


def slug(text: str, max_length: int = 48) -> str:
    """A question id from its text: 'What is dropout?' -> 'what-is-dropout'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > max_length:
            break
        out = f"{out}-{word}" if out else word
    return out or "question"
