"""Build a rubric from an answer intent and/or a reference answer: local, deterministic, no LLM.

    question   -> its subject, whether it asks for steps and their goal       rubric.questions
    intent     -> instruction verbs stripped: claims and topics                rubric.instructions
    reference  -> sentences -> clauses on the dependency parse, pronouns      rubric.clauses
                  named, steps given the question's goal; a fragment          rubric.steps
                  ("push and pop") stated in the question's words             rubric.questions
    all        -> duplicates merged, weights from what the question asks and  rubric.selection
                  the intent stresses, readable ids, the heaviest kept

English structure comes from spaCy's dependency parser (rubric.parser); the same input always
gives the same rubric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rubric.errors import InvalidRubricError
from rubric.limits import MAX_INTENT_CHARS, MAX_QUESTION_CHARS, MAX_REFERENCE_CHARS
from rubric.models import ID_PATTERN, MAX_KEY_POINTS, MAX_POINT_CHARS, Question

if TYPE_CHECKING:
    from rubric.embedder import Embedder
    from rubric.questions import QuestionContext


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

    Raises InvalidRubricError when the question is empty or too long, neither source text is
    given, or neither says anything checkable (the message says what to add).
    """
    from rubric.questions import read_question
    from rubric.selection import select_points
    from rubric.text import clean_text

    question_text = clean_text(question or "")
    intent_text = clean_text(intent or "") or None
    reference_text = clean_text(reference_answer or "") or None
    _check_inputs(question_text, intent_text, reference_text, id, max_points)

    context = read_question(question_text)
    candidates = draw_candidates(context, intent_text, reference_text)
    if not candidates:
        raise InvalidRubricError(_nothing_checkable(intent_text, reference_text))
    claims = [c for c in candidates if c.source != "topic"]
    # Topics ("the role of X") steer which reference claims count as implied; they become points
    # themselves only when no reference answer can fill them, or nothing checkable was found.
    topics = [c for c in candidates if c.source == "topic"]
    chosen = claims if claims and reference_text else candidates
    points = select_points(
        question_text, chosen, embedder, max_points, topics=topics, topics_as_points=reference_text is None,
        subject=context.subject[0] if context.subject else None,
    )
    from rubric.selection import slug

    return Question(
        id=id or slug(question_text),
        text=question_text,
        intent=intent_text,
        key_points=tuple(points),
        reference_answer=reference_text,
    )


def _check_inputs(
    question: str, intent: str | None, reference: str | None, question_id: str | None, max_points: int
) -> None:
    problems = []
    if len(question) < 3:
        problems.append("question: the question text is empty")
    if intent is None and reference is None:
        problems.append("give an answer intent, a reference answer, or both")
    limits = {
        "question": (question, MAX_QUESTION_CHARS),
        "intent": (intent, MAX_INTENT_CHARS),
        "reference_answer": (reference, MAX_REFERENCE_CHARS),
    }
    for name, (text, limit) in limits.items():
        if text and len(text) > limit:
            problems.append(f"{name}: longer than {limit} characters ({len(text)})")
    if question_id is not None and not re.fullmatch(ID_PATTERN, question_id):
        problems.append(f"id: {question_id!r} must be lower-case letters, digits and dashes (at most 64)")
    if not 1 <= max_points <= MAX_KEY_POINTS:
        problems.append(f"max_points: must be between 1 and {MAX_KEY_POINTS}")
    if problems:
        raise InvalidRubricError("; ".join(problems))


def _nothing_checkable(intent: str | None, reference: str | None) -> str:
    given = " and ".join(f"{name} {text[:60]!r}" for name, text in (("intent", intent), ("reference_answer", reference)) if text)
    return (
        f"no checkable statement found: the {given} name nothing an answer could be checked against; "
        "add a reference answer with at least one statement of what a good answer says "
        "(e.g. 'Dropout randomly switches off neurons during training.'), or an intent such as "
        "'Explain that ...'"
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One checkable statement, where it came from, and its place in the source text."""

    text: str
    source: Source
    order: int
    group: int = 0  # claims split from one statement share a group: they differ by construction
    core: str | None = None  # the claim without the goal added to it, to compare claims by
    phrasings: tuple[str, ...] = ()  # the source's own other wording of the claim, if any
    stressed: bool = False  # the intent stresses it ("above all", "emphasise that ...")


def draw_candidates(
    context: QuestionContext | str, intent: str | None, reference: str | None
) -> list[Candidate]:
    """Every atomic claim (and, from the intent, topic) in the texts, in reading order."""
    from rubric.questions import read_question

    if isinstance(context, str):
        context = read_question(context)
    drawn: list[tuple[str, Source, int, str | None, tuple[str, ...], bool]] = []
    if intent:
        from rubric.instructions import intent_statements, without_instruction

        statements = intent_statements(intent, context)
        for group, statement in enumerate(statements):
            source: Source = "intent" if statement.kind == "claim" else "topic"
            drawn.append((statement.text, source, group, None, (), statement.stressed))
        if not any(is_checkable(finish(t), s) for t, s, *_ in drawn):
            # nothing the parse could split: the intent itself, its instruction verbs dropped, is the topic
            drawn.extend((without_instruction(intent), "topic", len(drawn), None, (), False) for _ in (1,))
    if reference:
        from rubric.reference import reference_claims

        offset = len(drawn) + 1
        for group, text, core, phrasings in reference_claims(reference, context):
            drawn.append((text, "reference", group + offset, core, phrasings, False))
    out: list[Candidate] = []
    seen: set[str] = set()
    for text, source, group, core, phrasings, stressed in drawn:
        text = finish(text)
        if text.lower() not in seen and is_checkable(text, source):
            seen.add(text.lower())
            extra = tuple(dict.fromkeys(finish(p) for p in phrasings if finish(p).lower() != text.lower()))
            out.append(Candidate(text, source, len(out), group, finish(core) if core else None, extra, stressed))
    return out


def finish(claim: str) -> str:
    """A claim as a point text: capitalised, one full stop, within the point length limits."""
    from rubric.text import capitalise

    claim = re.sub(
        r"^\s*(?:(?:and|or|but|so|then|also|thus|hence|that)\s+|(?:however|moreover|furthermore|additionally|"
        r"in\s+addition|also|thus|hence|therefore),\s+)", "", claim.strip(" ,;:"), flags=re.I,
    )
    claim = re.sub(r"\s+([,.;:])", r"\1", claim)
    claim = capitalise(claim.strip().rstrip(".!?;:, "))
    words = claim.split()
    if len(words) > MAX_POINT_WORDS:
        claim = " ".join(words[:MAX_POINT_WORDS]).rstrip(",;:")
    if len(claim) > MAX_POINT_CHARS - 1:
        claim = claim[: MAX_POINT_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return claim + "."


def is_checkable(text: str, source: Source) -> bool:
    """Something an answer can be checked against: a content word (two for a topic)."""
    from rubric.text import content_words

    words = content_words(text)
    return bool(words) and (source != "topic" or len(words) >= 2)
