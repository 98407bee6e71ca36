"""Request and response bodies of the API that the library's own models do not already cover."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from api.errors import ErrorBody
from evaluator.results import EvaluationResult
from rubric.models import Level, Question


class EvaluationIn(BaseModel):
    """One answer and what to score it against: a bank question id, or an inline rubric."""

    # The "exactly one of question_id and rubric" rule, stated in the OpenAPI schema too.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["question_id"], "properties": {"question_id": {"type": "string"}}},
                {"required": ["rubric"], "properties": {"rubric": {"type": "object"}}},
            ]
        },
    )

    question_id: str | None = Field(default=None, description="Id of a bank question, e.g. `fresher-01`.")
    rubric: Question | None = Field(
        default=None, description="An inline question with its key points (the bank files' schema)."
    )
    answer: str = Field(
        description="The answer text; the server checks it is non-empty, plain and not too long.",
        json_schema_extra={"minLength": 1},  # documented only: "" gets the precise `empty_answer` error
    )

    @model_validator(mode="after")
    def _one_target(self) -> EvaluationIn:
        if (self.question_id is None) == (self.rubric is None):
            raise ValueError("give exactly one of question_id and rubric")
        return self


class InvalidItem:
    """A batch item that failed validation; it gets its own error entry instead of failing the batch."""

    def __init__(self, error: ValidationError) -> None:
        self.errors = error.errors(include_url=False, include_context=False, include_input=False)


def _keep_invalid(value: Any, handler: ValidatorFunctionWrapHandler) -> EvaluationIn | InvalidItem:
    try:
        return handler(value)
    except ValidationError as exc:
        return InvalidItem(exc)


BatchItem = Annotated[EvaluationIn, WrapValidator(_keep_invalid)]


def _any_item_accepted(schema: dict[str, Any]) -> None:
    """Document what the validator does: an item that is not an EvaluationIn still passes, as an error."""
    schema["items"] = {"anyOf": [schema["items"], {}]}


class BatchIn(BaseModel):
    """Answers to score together in one forward pass of the model."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(
        min_length=1,
        description="At most EVALUATOR_MAX_BATCH_ITEMS (default 64) items, else 413. Each is an "
        "EvaluationIn; any other value is accepted too, and gets its own `invalid_item` error entry.",
        json_schema_extra=_any_item_accepted,
    )


class BatchOut(BaseModel):
    """One entry per item, in input order: its result, or its own error."""

    results: list[EvaluationResult | ErrorBody]


class QuestionSummary(BaseModel):
    id: str
    level: Level | None
    topic: str | None
    text: str
    key_points: int = Field(description="Number of key points in the rubric.")


class QuestionList(BaseModel):
    questions: list[QuestionSummary]


class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    status: str
    model: str
    questions: int = Field(description="Questions in the loaded bank.")
    max_answer_chars: int = Field(description="Longest answer accepted, in characters (else 422).")
