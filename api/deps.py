"""Dependencies of the routes: settings, the bank, the ready Evaluator; the API-key check.

All are `async def`: they never block, and so never wait behind scoring work in the threadpool.
"""

from __future__ import annotations

import hmac
import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from pydantic import SecretStr

from api.config import Settings
from api.errors import NotReadyError, UnauthorizedError
from evaluator.errors import ModelUnavailableError
from evaluator.scoring import Evaluator
from rubric.bank import QuestionBank


class ModelSlot:
    """The bank (known at once) and the Evaluator (set once the lifespan has loaded and warmed it)."""

    def __init__(self, bank: QuestionBank) -> None:
        self.bank = bank
        self.evaluator: Evaluator | None = None
        self.failure: str | None = None
        self.stopping = threading.Event()

    def ready(self) -> Evaluator:
        """The warmed Evaluator; NotReadyError while it loads, ModelUnavailableError if it failed."""
        if self.evaluator is not None:
            return self.evaluator
        if self.failure is not None:
            raise ModelUnavailableError(self.failure)
        raise NotReadyError("the model is still loading: retry in a few seconds (GET /readyz tells when)")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_slot(request: Request) -> ModelSlot:
    return request.app.state.slot


async def get_bank(slot: Annotated[ModelSlot, Depends(get_slot)]) -> QuestionBank:
    return slot.bank


async def get_evaluator(slot: Annotated[ModelSlot, Depends(get_slot)]) -> Evaluator:
    return slot.ready()


API_KEY_HEADER = "X-API-Key"

_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="Needed only when EVALUATOR_API_KEY is set."
)


def check_api_key(expected: SecretStr | None, given: str | None) -> None:
    """Nothing if no key is configured or `given` matches it (compared in constant time), else
    UnauthorizedError. api.middleware.ApiKeyMiddleware calls it before the body is read."""
    if expected is None:
        return
    if given is None:
        raise UnauthorizedError(f"this server needs an API key: send it in the {API_KEY_HEADER} header")
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise UnauthorizedError(f"the API key in the {API_KEY_HEADER} header is wrong")


async def api_key_scheme(given: Annotated[str | None, Depends(_api_key_header)]) -> None:
    """Declares the X-API-Key header of the /v1 routes in the OpenAPI schema (Swagger UI's Authorize
    button). It checks nothing: ApiKeyMiddleware has checked the key before the body was read."""


SettingsDep = Annotated[Settings, Depends(get_settings)]
BankDep = Annotated[QuestionBank, Depends(get_bank)]
EvaluatorDep = Annotated[Evaluator, Depends(get_evaluator)]
