"""Dependencies of the routes: settings, the bank, the ready Evaluator, the API-key check.

All are `async def`: they never block, and so never wait behind scoring work in the threadpool.
"""

from __future__ import annotations

import hmac
import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

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


_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Needed only when EVALUATOR_API_KEY is set."
)


async def require_api_key(
    settings: Annotated[Settings, Depends(get_settings)],
    given: Annotated[str | None, Depends(_api_key_header)],
) -> None:
    """Let the request through if no key is configured or the header matches it (constant time)."""
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    if given is None:
        raise UnauthorizedError("this server needs an API key: send it in the X-API-Key header")
    if not hmac.compare_digest(given.encode(), expected):
        raise UnauthorizedError("the API key in the X-API-Key header is wrong")


SettingsDep = Annotated[Settings, Depends(get_settings)]
BankDep = Annotated[QuestionBank, Depends(get_bank)]
EvaluatorDep = Annotated[Evaluator, Depends(get_evaluator)]
