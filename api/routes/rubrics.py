"""POST /v1/rubrics: build a question's key points from its answer intent and/or reference answer.

A plain `def`: the builder runs the model, so it runs in the threadpool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from api.deps import EvaluatorDep
from api.errors import documented_errors
from api.rubric_schemas import RubricIn
from rubric.build import build_rubric
from rubric.models import Question

router = APIRouter(prefix="/v1/rubrics", tags=["rubrics"])

_ERRORS = documented_errors(
    {
        401: "Missing or wrong X-API-Key (only when the server has a key).",
        413: "Body over EVALUATOR_MAX_BODY_BYTES.",
        422: "Invalid JSON or body (`invalid_request`), or nothing checkable in the texts "
        "(`invalid_rubric`).",
        503: "The model is still loading.",
    }
)

RUBRIC_EXAMPLES = {
    "intent and reference": {
        "summary": "From an answer intent and a reference answer",
        "value": {
            "question": "What is dropout, and why does it help?",
            "intent": "Explain that dropout randomly switches off neurons during training, "
            "which reduces overfitting.",
            "reference_answer": "Dropout sets a random fraction of activations to zero at each training "
            "step. It is turned off at inference time.",
            "id": "my-dropout",
            "level": "fresher",
        },
    },
    "intent only": {
        "summary": "From an answer intent alone",
        "value": {
            "question": "What is deep learning, and how does it differ from machine learning?",
            "intent": "Explain that deep learning learns features from raw data, unlike classical machine "
            "learning which relies on features designed by hand.",
        },
    },
    "reference only": {
        "summary": "From a reference answer alone (the common case in grading data)",
        "value": {
            "question": "What is batch normalization?",
            "reference_answer": "Batch normalization standardizes layer inputs to zero mean and unit "
            "variance, improving convergence, allowing higher learning rates, and reducing exploding "
            "gradients.",
            "max_points": 5,
        },
    },
}


@router.post("", response_model=Question, responses=_ERRORS, summary="Build a rubric")
def create_rubric(
    body: Annotated[RubricIn, Body(openapi_examples=RUBRIC_EXAMPLES)], evaluator: EvaluatorDep
) -> Question:
    """Turn an answer intent and/or a reference answer into weighted, atomic key points.

    The result has the shape of `GET /v1/questions/{question_id}` (with the reference answer), so it
    can be saved as a bank file or sent as the `rubric` of `POST /v1/evaluations` as it is.
    """
    question = build_rubric(
        body.question,
        body.intent,
        body.reference_answer,
        id=body.id,
        embedder=evaluator.embedder,
        max_points=body.max_points,
    )
    return question.model_copy(update={"level": body.level, "topic": body.topic})
