"""The one table from errors to HTTP statuses, and the one error shape every response uses.

Every error body is `{"error": {"code": str, "message": str, "details": object | null}}`.

ApiError                    errors of the HTTP layer itself
 +-- UnauthorizedError      401: missing or wrong X-API-Key
 +-- BodyTooLargeError      413: request body over EVALUATOR_MAX_BODY_BYTES
 +-- TooManyItemsError      413: batch over EVALUATOR_MAX_BATCH_ITEMS
 +-- NotReadyError          503: the model is still loading
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from evaluator.errors import (
    AnswerTooLongError,
    EmptyAnswerError,
    EvaluatorError,
    InvalidAnswerError,
    ModelUnavailableError,
    NotTextError,
)
from rubric.errors import InvalidRubricError, RubricError, UnknownQuestionError


class ApiError(Exception):
    """An error of the HTTP layer; `details` goes into the error body as is."""

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


class UnauthorizedError(ApiError):
    """The X-API-Key header is missing or wrong."""


class BodyTooLargeError(ApiError):
    """The request body is larger than the configured limit."""


class TooManyItemsError(ApiError):
    """A batch has more items than the configured limit."""


class NotReadyError(ApiError):
    """The model has not finished loading and warming up."""


# The one mapping from exception class to (HTTP status, error code); the most specific class wins.
ERROR_TABLE: dict[type[Exception], tuple[int, str]] = {
    UnknownQuestionError: (404, "unknown_question"),
    EmptyAnswerError: (422, "empty_answer"),
    AnswerTooLongError: (422, "answer_too_long"),
    NotTextError: (422, "answer_not_text"),
    InvalidAnswerError: (422, "invalid_answer"),
    InvalidRubricError: (422, "invalid_rubric"),
    RubricError: (422, "rubric_error"),
    ModelUnavailableError: (503, "model_unavailable"),
    EvaluatorError: (500, "evaluator_error"),
    UnauthorizedError: (401, "unauthorized"),
    BodyTooLargeError: (413, "body_too_large"),
    TooManyItemsError: (413, "too_many_items"),
    NotReadyError: (503, "not_ready"),
}
INTERNAL_ERROR = (500, "internal_error")


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable, machine-readable, e.g. `unknown_question`.")
    message: str = Field(description="What went wrong and what to do, for people.")
    details: Any = Field(default=None, description="Structured extra facts, or null.")


class ErrorBody(BaseModel):
    """The shape of every error response (and of a failed item in a batch)."""

    error: ErrorInfo


def documented_errors(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route: each status with its description and the one error shape."""
    return {status: {"model": ErrorBody, "description": text} for status, text in descriptions.items()}


def classify(exc: Exception) -> tuple[int, str]:
    """(status, code) for an exception, from ERROR_TABLE; unknown exceptions are internal errors."""
    for cls in type(exc).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return INTERNAL_ERROR


def error_content(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def describe(exc: Exception) -> tuple[int, dict[str, Any]]:
    """The status and error body for a library or API error."""
    status, code = classify(exc)
    if (status, code) == INTERNAL_ERROR:
        return status, error_content(code, "internal error: see the server log")
    details = getattr(exc, "details", None)
    if isinstance(exc, UnknownQuestionError):
        details = {"question_id": exc.question_id}
    return status, error_content(code, str(exc), details)


def error_response(
    status: int, content: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(content, status_code=status, headers=headers)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic errors without the offending input (it may be a whole answer)."""
    return [
        {"loc": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in errors
    ]


def describe_validation(errors: list[dict[str, Any]]) -> dict[str, Any]:
    details = validation_details(errors)
    if any(e["type"] == "json_invalid" for e in details):
        return error_content("invalid_json", "the request body is not valid JSON", details)
    where = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['message']}" for d in details)
    return error_content("invalid_request", f"the request is not valid: {where}", details)


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    status, content = describe(exc)
    headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
    return error_response(status, content, headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(422, describe_validation(list(exc.errors())))


_UNPARSABLE_BODY = {
    UnicodeDecodeError: "the request body is not valid JSON: it is not UTF-8 text",
    RecursionError: "the request body is not valid JSON: it is nested too deeply",
}


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's "error parsing the body" (400): invalid UTF-8, JSON nested past the parser's depth...
        # It is invalid JSON as much as a syntax error is, so it gets the same documented 422.
        cause = exc.__cause__
        message = next(
            (text for kind, text in _UNPARSABLE_BODY.items() if isinstance(cause, kind)),
            "the request body is not valid JSON",
        )
        details = [{"loc": ["body"], "message": message, "type": "json_invalid"}]
        return error_response(422, error_content("invalid_json", message, details))
    phrase = HTTPStatus(exc.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase.lower()
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(exc.status_code, error_content(code, message), dict(exc.headers or {}) or None)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    status, content = describe(exc)
    return error_response(status, content)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the table, so each one has the same shape."""
    for cls in (ApiError, EvaluatorError, RubricError):
        app.add_exception_handler(cls, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
    _document_error_shape(app)


_FASTAPI_ERROR_REF = "#/components/schemas/HTTPValidationError"
_ERROR_BODY_REF = "#/components/schemas/ErrorBody"


def _document_error_shape(app: FastAPI) -> None:
    """Make /openapi.json say what the handlers above send: FastAPI documents its own 422 body
    (HTTPValidationError) for every route with parameters, but this API answers ErrorBody."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for response in operation.get("responses", {}).values():
                        body = response.get("content", {}).get("application/json", {})
                        if body.get("schema", {}).get("$ref") == _FASTAPI_ERROR_REF:
                            body["schema"] = {"$ref": _ERROR_BODY_REF}
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            error_body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in error_body.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault("ErrorBody", error_body)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
