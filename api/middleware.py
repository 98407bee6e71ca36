"""ASGI middleware: the request-body limit and the one-line access log."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BodyTooLargeError, describe, error_response

access_log = logging.getLogger("api.access")


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
            details={"max_bytes": self.max_bytes},
        )
        status, content = describe(error)
        await error_response(status, content, headers={"Connection": "close"})(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


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
