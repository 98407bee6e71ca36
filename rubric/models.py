"""Question, KeyPoint: the rubric schema, shared by the bank files, the API and the builder."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from rubric.limits import MAX_INTENT_CHARS, MAX_QUESTION_CHARS, MAX_REFERENCE_CHARS

Level = Literal["fresher", "intermediate", "advanced"]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
MAX_POINT_CHARS = 300
MAX_KEY_POINTS = 20


class KeyPoint(BaseModel):
    """One checkable claim a good answer makes, with its weight in the score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, description="Unique within its question.")
    text: str = Field(min_length=3, max_length=MAX_POINT_CHARS)
    weight: float = Field(default=1.0, gt=0, le=10)
    alternatives: tuple[str, ...] = Field(
        default=(), description="Other phrasings of the same claim; matching takes the best of all."
    )
    misconceptions: tuple[str, ...] = Field(
        default=(),
        description="Wrong claims that contradict this point; an answer that states one is marked contradicted.",
    )

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 3:
            raise ValueError("key point text is empty")
        return value

    @field_validator("alternatives", "misconceptions")
    @classmethod
    def _clean_phrases(cls, values: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        cleaned = tuple(" ".join(v.split()) for v in values)
        if any(not v or len(v) > MAX_POINT_CHARS for v in cleaned):
            raise ValueError(f"{info.field_name} must be non-empty and at most {MAX_POINT_CHARS} characters")
        return cleaned

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)


class Question(BaseModel):
    """A question with its rubric: the key points an answer is scored against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    level: Level | None = None
    topic: str | None = Field(default=None, pattern=ID_PATTERN)
    text: str = Field(min_length=3, max_length=MAX_QUESTION_CHARS)
    intent: str | None = Field(default=None, max_length=MAX_INTENT_CHARS)
    key_points: tuple[KeyPoint, ...] = Field(min_length=1, max_length=MAX_KEY_POINTS)
    reference_answer: str | None = Field(default=None, max_length=MAX_REFERENCE_CHARS)

    @model_validator(mode="after")
    def _unique_point_ids(self) -> Question:
        seen: set[str] = set()
        for point in self.key_points:
            if point.id in seen:
                raise ValueError(f"duplicate key point id {point.id!r}")
            seen.add(point.id)
        return self

    @property
    def total_weight(self) -> float:
        return sum(p.weight for p in self.key_points)
