"""POST /v1/evaluations and /v1/evaluations/batch: score answers against rubrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.batching import BatcherDep
from api.deps import EvaluatorDep, SettingsDep
from api.errors import (
    InvalidItemError,
    TooManyItemsError,
    describe,
    documented_errors,
    validation_problems,
    where_and_what,
)
from api.schemas import BatchIn, BatchOut, EvaluationIn, InvalidItem
from evaluator.results import EvaluationResult
from evaluator.scoring import EvaluationRequest

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"])

_ERRORS = documented_errors(
    {
        401: "Missing or wrong X-API-Key (only when the server has a key).",
        404: "No bank question with that id.",
        413: "Body over EVALUATOR_MAX_BODY_BYTES, or batch over EVALUATOR_MAX_BATCH_ITEMS.",
        422: "Invalid JSON, body, rubric or answer (empty, too long, not plain text).",
        503: "The model is still loading.",
    }
)

_RUBRIC_EXAMPLE = {
    "id": "my-dropout",
    "text": "What does dropout do?",
    "key_points": [
        {
            "id": "zeroes-units",
            "text": "Dropout randomly sets a fraction of activations to zero during training.",
        },
        {"id": "regularizes", "text": "Dropout reduces overfitting by acting as a regularizer.", "weight": 2},
    ],
}

EVALUATION_EXAMPLES = {
    "bank question": {
        "summary": "Score an answer to a bank question",
        "value": {
            "question_id": "fresher-01",
            "answer": "Deep learning uses neural networks with many layers that learn features from raw "
            "data by themselves, while classical machine learning needs hand-crafted features.",
        },
    },
    "inline rubric": {
        "summary": "Score an answer against your own rubric",
        "value": {
            "rubric": _RUBRIC_EXAMPLE,
            "answer": "During training dropout zeroes random neurons, "
            "which keeps the network from overfitting.",
        },
    },
}

BATCH_EXAMPLES = {
    "mixed batch": {
        "summary": "Several answers at once; a bad item gets its own error",
        "value": {
            "items": [
                {"question_id": "fresher-01", "answer": "Deep learning stacks many neural network layers."},
                {
                    "question_id": "fresher-03",
                    "answer": "Backpropagation uses the chain rule to get gradients.",
                },
                {"rubric": _RUBRIC_EXAMPLE, "answer": "Dropout randomly drops units to regularize the net."},
                {"question_id": "no-such-question", "answer": "This item fails alone with a 404 entry."},
            ]
        },
    }
}


@router.post("", response_model=EvaluationResult, responses=_ERRORS, summary="Score one answer")
async def create_evaluation(
    body: Annotated[EvaluationIn, Body(openapi_examples=EVALUATION_EXAMPLES)],
    evaluator: EvaluatorDep,
    batcher: BatcherDep,
) -> EvaluationResult:
    """Score an answer against a bank question (`question_id`) or an inline `rubric`.

    Requests that arrive together share one forward pass of the model (EVALUATOR_BATCH_WINDOW_MS)."""
    request = EvaluationRequest(body.answer, question_id=body.question_id, rubric=body.rubric)
    return await batcher.evaluate(evaluator, request)


@router.post("/batch", response_model=BatchOut, responses=_ERRORS, summary="Score many answers at once")
def create_evaluations(
    body: Annotated[BatchIn, Body(openapi_examples=BATCH_EXAMPLES)],
    evaluator: EvaluatorDep,
    settings: SettingsDep,
) -> dict[str, list[Any]]:
    """Score up to EVALUATOR_MAX_BATCH_ITEMS answers in one forward pass; results keep the input order.

    An item that is invalid (bad fields, unknown question, empty answer...) gets an error entry of the
    usual shape in its place, and the other items are still scored. A batch over the limit is a 413.
    """
    if len(body.items) > settings.max_batch_items:
        raise TooManyItemsError(
            f"the batch has {len(body.items)} items; the limit is {settings.max_batch_items}: split it",
            {"items": len(body.items), "max_items": settings.max_batch_items},
        )
    valid = [item for item in body.items if isinstance(item, EvaluationIn)]
    scored = iter(
        evaluator.evaluate_many(
            [EvaluationRequest(i.answer, i.question_id, i.rubric) for i in valid], return_errors=True
        )
    )
    results: list[Any] = []
    for item in body.items:
        if isinstance(item, InvalidItem):
            problems = validation_problems(item.errors)
            error = InvalidItemError(
                f"the item is not valid: {where_and_what(problems, 'item')}", {"errors": problems}
            )
            results.append(describe(error)[1])
            continue
        outcome = next(scored)
        results.append(describe(outcome)[1] if isinstance(outcome, Exception) else outcome)
    return {"results": results}
