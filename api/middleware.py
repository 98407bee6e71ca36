"""ASGI middleware: the API-key check, the request-body limit, the docs pages' policy and the access log."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from pydantic import SecretStr
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import API_KEY_HEADER, check_api_key
from api.errors import BodyTooLargeError, UnauthorizedError, describe, error_response

access_log = logging.getLogger("api.access")

PROTECTED_PREFIX = "/v1"  # every route under it needs the key, when the server has one


class ApiKeyMiddleware:
    """401 for a /v1 request without the server's API key, decided from the headers alone: before the
    body is read, so a client without the key learns that first, not that its body is too large or
    not JSON."""

    def __init__(self, app: ASGIApp, api_key: SecretStr) -> None:
        self.app = app
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/"):
            try:
                check_api_key(self.api_key, Headers(scope=scope).get(API_KEY_HEADER))
            except UnauthorizedError as error:
                status, content = describe(error)
                response = error_response(status, content, headers={"WWW-Authenticate": "ApiKey"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """413 for a body over `max_bytes`, decided before anything parses it.

    A declared Content-Length over the limit is refused without reading; otherwise the body is read
    here, counting the bytes as they stream in (chunked uploads have no Content-Length), and replayed
    to the app only if it stayed within the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLargeError(
            f"the request body is larger than the limit of {self.max_bytes:,} bytes",
            {"max_bytes": self.max_bytes},
        )
        status, content = describe(error)
        await error_response(status, content, headers={"Connection": "close"})(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


# /docs and /redoc may load only what this server serves (ReDoc would fetch its logo from a CDN). Both
# pages start their viewer with an inline script and inline styles.
DOCS_PATHS = frozenset({"/docs", "/redoc"})
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)


class DocsPolicyMiddleware:
    """Adds DOCS_POLICY as the Content-Security-Policy of the API documentation pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in DOCS_PATHS:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Security-Policy"] = DOCS_POLICY
            await send(message)

        await self.app(scope, receive, send_with_policy)


class AccessLogMiddleware:
    """Logs each request in one line: method, path, status, duration. Never the body or headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %d %.1fms", scope["method"], _loggable_path(scope), status, elapsed_ms)


def _loggable_path(scope: Scope) -> str:
    """The path as sent (percent-encoded), so a crafted id cannot forge log lines; no query string."""
    raw = scope.get("raw_path")
    return raw.decode("ascii", "backslashreplace") if raw else quote(scope["path"])
