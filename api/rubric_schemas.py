"""The request body of POST /v1/rubrics (the response is a `rubric.models.Question`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rubric.build import DEFAULT_MAX_POINTS
from rubric.limits import MAX_INTENT_CHARS, MAX_QUESTION_CHARS, MAX_REFERENCE_CHARS
from rubric.models import ID_PATTERN, MAX_KEY_POINTS, Level


class RubricIn(BaseModel):
    """A question and what a good answer to it says: an answer intent, a reference answer, or both."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=3, max_length=MAX_QUESTION_CHARS, description="The question text.")
    intent: str | None = Field(
        default=None,
        max_length=MAX_INTENT_CHARS,
        description="What a good answer must do, e.g. `Explain that X does A, unlike Y which relies on B`.",
    )
    reference_answer: str | None = Field(
        default=None, max_length=MAX_REFERENCE_CHARS, description="A model answer."
    )
    id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="The question id; by default a slug of the question."
    )
    level: Level | None = None
    topic: str | None = Field(default=None, pattern=ID_PATTERN)
    max_points: int = Field(
        default=DEFAULT_MAX_POINTS, ge=1, le=MAX_KEY_POINTS, description="At most this many key points."
    )

    @model_validator(mode="after")
    def _has_a_source(self) -> RubricIn:
        if not (self.intent or "").strip() and not (self.reference_answer or "").strip():
            raise ValueError("give intent, reference_answer, or both")
        return self
