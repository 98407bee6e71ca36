"""The exception handlers that turn every error into the one error body, and the OpenAPI schema that
says so."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import (
    ErrorBody,
    InvalidJsonError,
    InvalidRequestError,
    MethodNotAllowedError,
    NoSuchEndpointError,
    describe,
    error_content,
    error_response,
    validation_problems,
    where_and_what,
)
from evaluator.errors import EvaluatorError

# Errors pydantic reports when the body is not an object: for a JSON body that was not sent as JSON.
_NOT_AN_OBJECT = {"model_attributes_type", "model_type", "dict_type"}

_UNPARSABLE_BODY = {
    UnicodeDecodeError: "the request body is not valid JSON: it is not UTF-8 text",
    RecursionError: "the request body is not valid JSON: it is nested too deeply",
}


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through api.errors.describe, so each one has the same shape."""
    app.add_exception_handler(EvaluatorError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _library_error)
    _document_error_shape(app)


def invalid_request(errors: list[dict[str, Any]], content_type: str | None) -> InvalidRequestError:
    """The error for a request that does not validate, naming each bad field (and the Content-Type
    header when a body was not sent as JSON)."""
    problems = validation_problems(errors)
    details = {"errors": problems}
    if any(p["type"] == "json_invalid" for p in problems):
        return InvalidJsonError("the request body is not valid JSON", details)
    media_type = (content_type or "").split(";")[0].strip().lower()
    sent_as_json = media_type == "application/json" or media_type.endswith("+json")
    if not sent_as_json and any(p["loc"] == ["body"] and p["type"] in _NOT_AN_OBJECT for p in problems):
        sent = f"has `Content-Type: {content_type}`" if content_type else "has no Content-Type header"
        return InvalidRequestError(
            f"the request body must be JSON sent with the header `Content-Type: application/json`; "
            f"this request {sent}",
            {**details, "content_type": content_type},
        )
    return InvalidRequestError(f"the request is not valid: {where_and_what(problems)}", details)


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    status, content = describe(exc)
    headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
    return error_response(status, content, headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return await _library_error(
        request, invalid_request(list(exc.errors()), request.headers.get("content-type"))
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers or {}) or None
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's "error parsing the body" (400): invalid UTF-8, JSON nested past the parser's depth...
        # It is invalid JSON as much as a syntax error is, so it gets the same documented 422.
        cause = exc.__cause__
        message = next(
            (text for kind, text in _UNPARSABLE_BODY.items() if isinstance(cause, kind)),
            "the request body is not valid JSON",
        )
        error: EvaluatorError = InvalidJsonError(
            message, {"errors": [{"loc": ["body"], "message": message, "type": "json_invalid"}]}
        )
    elif exc.status_code == 404:
        error = NoSuchEndpointError(f"no such endpoint: {request.method} {request.url.path} (see /docs)")
    elif exc.status_code == 405:
        error = MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}")
    else:  # a status no route of this API raises itself: named after its reason phrase
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        message = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase.lower()
        return error_response(exc.status_code, error_content(code, message), headers)
    status, content = describe(error)
    return error_response(status, content, headers)


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
