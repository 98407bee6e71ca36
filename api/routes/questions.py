"""GET /v1/questions and /v1/questions/{question_id}: browse the question bank.

In-memory look-ups that never block, so `async def` (scoring endpoints are plain `def`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import BankDep
from api.errors import ErrorBody, documented_errors
from api.schemas import QuestionList, QuestionSummary
from rubric.errors import UnknownTopicError
from rubric.models import Level, Question

router = APIRouter(prefix="/v1/questions", tags=["questions"])

_AUTH = {
    401: {"model": ErrorBody, "description": "Missing or wrong X-API-Key (only when the server has a key)."}
}


_LIST_ERRORS = {
    **_AUTH,
    **documented_errors(
        {
            404: "No question has that `topic` (`unknown_topic`; `details.topics` lists the topics).",
            422: "A `level` that is not fresher, intermediate or advanced.",
        }
    ),
}


@router.get("", response_model=QuestionList, responses=_LIST_ERRORS, summary="List the questions")
async def list_questions(
    bank: BankDep,
    level: Annotated[Level | None, Query(openapi_examples={"fresher": {"value": "fresher"}})] = None,
    topic: Annotated[str | None, Query(openapi_examples={"optimization": {"value": "optimization"}})] = None,
) -> QuestionList:
    """Id, level, topic, text and number of key points of each question, in bank order.

    A `topic` no question has is a 404 (`unknown_topic`) whose `details.topics` lists the bank's topics."""
    if topic is not None and topic not in bank.topics:
        raise UnknownTopicError(topic, bank.topics)
    return QuestionList(
        questions=[
            QuestionSummary(id=q.id, level=q.level, topic=q.topic, text=q.text, key_points=len(q.key_points))
            for q in bank.filter(level=level, topic=topic)
        ]
    )


@router.get(
    "/{question_id}",
    response_model=Question,
    responses={**_AUTH, 404: {"model": ErrorBody, "description": "No question with that id."}},
    summary="One question with its key points",
)
async def get_question(
    bank: BankDep,
    question_id: Annotated[str, Path(openapi_examples={"fresher-01": {"value": "fresher-01"}})],
    include_reference: Annotated[
        bool,
        Query(
            description="Include the reference answer (off by default, not to give the answer away).",
            openapi_examples={"with reference": {"value": True}},
        ),
    ] = False,
) -> Question:
    """The question and its rubric; `reference_answer` is null unless `include_reference=true`."""
    question = bank.get(question_id)
    return question if include_reference else question.model_copy(update={"reference_answer": None})
