"""GET /healthz (the process answers) and GET /readyz (the model is loaded)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import EvaluatorDep
from api.errors import ErrorBody
from api.schemas import Health, Readiness
from evaluator.version import __version__

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """200 as long as the process serves requests, even while the model loads."""
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": ErrorBody, "description": "The model is still loading, or failed to load."}},
    summary="Readiness",
)
async def readyz(evaluator: EvaluatorDep) -> Readiness:
    """200 once the model is loaded; 503 (`not_ready`) until then. The bank's key points are
    embedded in the background from then on, or by the first request that needs them."""
    return Readiness(
        status="ready",
        model=evaluator.model_name,
        questions=len(evaluator.bank),
        max_answer_chars=evaluator.max_answer_chars,
    )
