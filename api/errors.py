"""The errors of the HTTP layer, the one table from error codes to HTTP statuses, and the one error body.

Every error body is `{"error": {"code": str, "message": str, "details": object}}`; `details` is always
an object (`{}` when there is nothing more to say).

evaluator.EvaluatorError          the one root (rubric/errors.py); library codes are in ERROR_TABLE too
 +-- ApiError                     errors of the HTTP layer itself
      +-- InvalidRequestError     422: the body, query or path does not validate
      |    +-- InvalidJsonError   422: the body is not JSON
      |    +-- InvalidItemError   (a batch item's own entry) the item does not validate
      +-- UnauthorizedError       401: missing or wrong X-API-Key
      +-- NoSuchEndpointError     404: no route at that path
      +-- MethodNotAllowedError   405: the route does not take that method
      +-- BodyTooLargeError       413: request body over EVALUATOR_MAX_BODY_BYTES
      +-- TooManyItemsError       413: batch over EVALUATOR_MAX_BATCH_ITEMS
      +-- NotReadyError           503: the model is still loading
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from evaluator.errors import EvaluatorError
from rubric.io import without_knock_on_errors


class ApiError(EvaluatorError):
    """An error of the HTTP layer."""

    code = "bad_request"


class InvalidRequestError(ApiError):
    """The request (body, query or path) does not validate; `details.errors` lists each problem."""

    code = "invalid_request"


class InvalidJsonError(InvalidRequestError):
    """The body cannot be parsed as JSON."""

    code = "invalid_json"


class InvalidItemError(InvalidRequestError):
    """One item of a batch does not validate; it gets this error in its place, the others are scored."""

    code = "invalid_item"


class UnauthorizedError(ApiError):
    """The X-API-Key header is missing or wrong."""

    code = "unauthorized"


class NoSuchEndpointError(ApiError):
    """No route has that path."""

    code = "not_found"


class MethodNotAllowedError(ApiError):
    """The route exists but does not take that method."""

    code = "method_not_allowed"


class BodyTooLargeError(ApiError):
    """The request body is larger than the configured limit."""

    code = "body_too_large"


class TooManyItemsError(ApiError):
    """A batch has more items than the configured limit."""

    code = "too_many_items"


class NotReadyError(ApiError):
    """The model has not finished loading and warming up."""

    code = "not_ready"


# The one mapping from error code to HTTP status. Every `code` of an EvaluatorError class is here
# (tests/api/test_api_error_shape.py checks it); an error whose code is missing would be a 500.
ERROR_TABLE: dict[str, int] = {
    "evaluator_error": 500,
    "rubric_error": 422,
    "unknown_question": 404,
    "unknown_topic": 404,
    "invalid_rubric": 422,
    "invalid_answer": 422,
    "empty_answer": 422,
    "answer_too_long": 422,
    "answer_not_text": 422,
    "model_unavailable": 503,
    "bad_request": 400,
    "invalid_request": 422,
    "invalid_json": 422,
    "invalid_item": 422,
    "unauthorized": 401,
    "not_found": 404,
    "method_not_allowed": 405,
    "body_too_large": 413,
    "too_many_items": 413,
    "not_ready": 503,
    "internal_error": 500,
}
INTERNAL_ERROR = "internal_error"

# What an API client can do next, by code; the library's message says what went wrong.
API_HINTS: dict[str, str] = {
    "unknown_question": "GET /v1/questions lists them",
}


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable, machine-readable, e.g. `unknown_question`.")
    message: str = Field(description="What went wrong and what to do, for people.")
    details: dict[str, Any] = Field(
        default_factory=dict, description="Structured extra facts; `{}` when there are none."
    )


class ErrorBody(BaseModel):
    """The shape of every error response (and of a failed item in a batch)."""

    error: ErrorInfo


def documented_errors(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route: each status with its description and the one error shape."""
    return {status: {"model": ErrorBody, "description": text} for status, text in descriptions.items()}


def classify(exc: BaseException) -> tuple[int, str]:
    """(status, code) for an exception: its `code` looked up in ERROR_TABLE; anything else is internal."""
    if isinstance(exc, EvaluatorError) and exc.code in ERROR_TABLE:
        return ERROR_TABLE[exc.code], exc.code
    return ERROR_TABLE[INTERNAL_ERROR], INTERNAL_ERROR


def error_content(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def describe(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and error body for an error; an unexpected exception says nothing of its internals."""
    status, code = classify(exc)
    if code == INTERNAL_ERROR or not isinstance(exc, EvaluatorError):
        return status, error_content(INTERNAL_ERROR, "internal error: see the server log")
    message = str(exc) or code.replace("_", " ")
    hint = API_HINTS.get(code)
    return status, error_content(code, f"{message}: {hint}" if hint else message, exc.details)


def error_response(
    status: int, content: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(content, status_code=status, headers=headers)


def validation_problems(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic errors as `{loc, message, type}`, without the offending input (it may be a whole
    answer) and without the knock-on errors of a list whose items failed."""
    return [
        {"loc": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in without_knock_on_errors(errors)
    ]


def where_and_what(problems: Sequence[Mapping[str, Any]], empty: str = "body") -> str:
    """`loc: message; loc: message` for people."""
    return "; ".join(f"{'.'.join(str(p) for p in d['loc']) or empty}: {d['message']}" for d in problems)
