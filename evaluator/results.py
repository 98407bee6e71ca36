"""Result types: frozen pydantic models, the JSON the CLI and the API return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["covered", "partial", "missed", "contradicted", "not_asked"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """The part of the answer that best supports a key point; `answer[start:end] == text`."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class PointResult(_Frozen):
    """How one key point of the rubric fared."""

    id: str
    text: str
    weight: float
    score: float = Field(ge=0, le=1, description="Credit earned for this point, 0 to 1.")
    similarity: float = Field(description="Cosine of the point with its best-matching answer text.")
    verdict: Verdict
    evidence: Evidence | None = Field(
        description="The answer text that covers the point, or that contradicts it; null when missed."
    )
    misconception: str | None = Field(
        default=None,
        description="For a point contradicted by stating one of the rubric's misconceptions: that misconception.",
    )
    contradiction: str | None = Field(
        default=None,
        description="For a contradicted point (other than by a listed misconception): why the answer is taken "
        "to say the opposite, in words.",
    )


class EvaluationResult(_Frozen):
    """The evaluation of one answer against one question's rubric."""

    question_id: str
    score: float = Field(ge=0, le=1, description="Weighted coverage of the key points, 0 to 1.")
    points: tuple[PointResult, ...]
    missed: tuple[str, ...] = Field(description="Ids of the key points the answer does not cover.")
    contradicted: tuple[str, ...] = Field(
        description="Ids of the key points the answer asserts the opposite of; they earn nothing."
    )
    model: str
    evaluator_version: str
