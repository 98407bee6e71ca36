"""create_app(): the FastAPI application, its middleware, error handlers, routers and lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from api.batching import MicroBatcher
from api.config import Settings, get_settings
from api.deps import ModelSlot, api_key_scheme
from api.handlers import install_error_handlers
from api.middleware import AccessLogMiddleware, ApiKeyMiddleware, BodyLimitMiddleware, DocsPolicyMiddleware
from api.routes import evaluations, health, page, questions, rubrics
from evaluator.embedding import make_embedder
from evaluator.errors import EvaluatorError
from evaluator.scoring import Evaluator
from evaluator.version import __version__
from rubric.bank import load_bank

log = logging.getLogger("api")

LOADER_JOIN_SECONDS = 30

DESCRIPTION = """Scores free-text answers to deep-learning interview questions against rubrics of key points,
offline, with a local sentence-transformer model.

Every error has the body `{"error": {"code", "message", "details"}}`, with a stable `code` and an object
as `details`. When the server has an API key (EVALUATOR_API_KEY), /v1 requests must send it in the
`X-API-Key` header; it is checked before the body is read."""


def create_app(settings: Settings | None = None, evaluator: Evaluator | None = None) -> FastAPI:
    """The API. Without `evaluator`, the lifespan loads one (model + settings' bank) in the background;
    with one (tests), it is only warmed, and its own bank and answer limit apply.

    /docs (Swagger UI) and /redoc load their scripts from this server (package fastapi-offline), so
    they work with no network."""
    settings = settings if settings is not None else get_settings()
    middleware = [Middleware(AccessLogMiddleware), Middleware(DocsPolicyMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "X-API-Key"],
            )
        )
    if settings.api_key is not None:  # inside CORS (preflights need no key), before the body is read
        middleware.append(Middleware(ApiKeyMiddleware, api_key=settings.api_key))
    middleware.append(Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes))

    app = FastAPIOffline(
        title="Interview answer evaluator",
        version=__version__,
        description=DESCRIPTION,
        middleware=middleware,
        lifespan=_lifespan(settings, evaluator),
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(page.router)  # the practice page needs no key: its /v1 calls send one
    for router in (evaluations.router, questions.router, rubrics.router):  # all under /v1
        app.include_router(router, dependencies=[Depends(api_key_scheme)])
    return app


def _lifespan(
    settings: Settings, evaluator: Evaluator | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        bank = evaluator.bank if evaluator is not None else load_bank(settings.bank_dir)
        slot = app.state.slot = ModelSlot(bank)
        # Load in a daemon thread, so /healthz answers (and /readyz says 503) meanwhile.
        loader = threading.Thread(
            target=_load, args=(slot, settings, evaluator), name="model-loader", daemon=True
        )
        loader.start()
        batcher = app.state.batcher = MicroBatcher(settings.batch_window_ms, settings.max_batch_items)
        await batcher.start()
        yield
        await batcher.stop()
        slot.stopping.set()
        # Stopping mid-load: give the loader a moment to finish, so the process exits cleanly.
        await anyio.to_thread.run_sync(loader.join, LOADER_JOIN_SECONDS, abandon_on_cancel=True)

    return lifespan


def _load(slot: ModelSlot, settings: Settings, evaluator: Evaluator | None) -> None:
    try:
        if evaluator is None:
            log.info("loading the model (backend %s)", settings.backend)
            evaluator = Evaluator(
                embedder=make_embedder(settings.backend, settings.threads),
                bank=slot.bank,
                max_answer_chars=settings.max_answer_chars,
                cache_size=settings.cache_size,
            )
        evaluator.embedder.encode(["warm-up"])
    except EvaluatorError as exc:
        slot.failure = str(exc)
        log.error("the model is unavailable: %s", exc)
        return
    except Exception as exc:  # noqa: BLE001 - any failure leaves the server unready, with the reason
        slot.failure = f"the model failed to load: {type(exc).__name__}: {exc}"
        log.exception("the model failed to load")
        return
    slot.evaluator = evaluator
    log.info("ready: model %s, %d questions", evaluator.model_name, len(slot.bank))
    # Ready before the bank's key points are embedded: a question not embedded yet is embedded by
    # its first request (the same vectors either way), so start-up does not wait for the whole bank.
    try:
        evaluator.warm_up(should_stop=slot.stopping.is_set)
    except Exception:  # noqa: BLE001 - requests embed what the warm-up could not
        log.exception("the warm-up failed; key points will be embedded on first use")
        return
    if not slot.stopping.is_set():
        log.info("warm: the key points of all %d questions are embedded", len(slot.bank))
