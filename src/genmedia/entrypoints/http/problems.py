"""RFC 9457 problem details for every error, each with a stable `code` (API.md, Conventions).

Domain and application errors carry their `code`; `STATUS` maps it to the HTTP status.
Litestar's own errors (routing 404/405, body and parameter parsing, size limits) are
translated too, so no input answers anything but problem+json, and nothing answers 5xx
unless the server itself is broken (then a logged, opaque `internal_error`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import attrs
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.exc import DataError

from genmedia.domain.errors import DomainError, TooManyAttempts

log = logging.getLogger("genmedia.http")

MEDIA_TYPE = "application/problem+json"

# The HTTP status of each stable `code`.
STATUS = {
    "malformed": 400,
    "unauthorized": 401,
    "insufficient_credits": 402,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "link_expired": 410,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "validation_error": 422,
    "invalid_cursor": 422,
    "domain_error": 422,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
}
TITLES = {
    "malformed": "Malformed request",
    "unauthorized": "Unauthorized",
    "insufficient_credits": "Insufficient credits",
    "forbidden": "Forbidden",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "conflict": "Conflict",
    "link_expired": "Link expired",
    "payload_too_large": "Payload too large",
    "unsupported_media_type": "Unsupported media type",
    "validation_error": "Invalid input",
    "invalid_cursor": "Invalid cursor",
    "domain_error": "Refused",
    "rate_limited": "Too many requests",
    "internal_error": "Internal error",
    "unavailable": "Service unavailable",
}
# Litestar's HTTP exceptions, by status, when nothing more precise is known.
CODE_OF_STATUS = {status: code for code, status in STATUS.items() if code != "domain_error"}
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")


@attrs.frozen(kw_only=True)
class FieldProblem:
    """One bad input field and what is wrong with it."""

    field: str
    message: str


@attrs.frozen(kw_only=True)
class Problem:
    """An RFC 9457 problem document; `errors` lists the fields of a validation error."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


def problem_response(
    request: Request[Any, Any, Any],
    code: str,
    detail: str,
    *,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """The problem+json response of `code`."""
    status = STATUS.get(code, 500)
    body = Problem(
        type=f"urn:genmedia:problem:{code}",
        title=TITLES.get(code, "Error"),
        status=status,
        detail=detail,
        code=code,
        instance=request.scope.get("path"),
        errors=errors,
    )
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _domain(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    fields = [FieldProblem(field=e.field, message=e.message) for e in error.field_errors()]
    headers = None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(max(1, round(error.retry_after + 0.5)))}
    if error.code == "unauthorized":
        headers = {"WWW-Authenticate": "Bearer"}
    return problem_response(request, error.code, str(error), errors=fields or None, headers=headers)


def _field_of(message: dict[str, Any]) -> str:
    text = str(message.get("message", ""))
    key = str(message.get("key", ""))
    missing = _MISSING_FIELD.search(text)
    if missing:
        key = f"{key}.{missing.group(1)}" if key and key != "data" else missing.group(1)
    if key in ("", "data"):
        return "body"
    return key


def _validation(request: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    messages = error.extra if isinstance(error.extra, list) else []
    fields = [
        FieldProblem(field=_field_of(m), message=str(m.get("message", "is invalid")))
        for m in messages
        if isinstance(m, dict)
    ]
    detail = "; ".join(f"{f.field}: {f.message}" for f in fields) or "the input is invalid"
    return problem_response(request, "validation_error", detail, errors=fields or None)


def _http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    if isinstance(error, ValidationException):
        return _validation(request, error)
    code = CODE_OF_STATUS.get(error.status_code, "malformed")
    if isinstance(error, NotFoundException):
        code, detail = "not_found", "no such resource"
    elif isinstance(error, MethodNotAllowedException):
        code, detail = "method_not_allowed", f"{request.method} is not allowed here"
    elif isinstance(error, RequestEntityTooLarge):
        code, detail = "payload_too_large", "the request body is too large"
    elif isinstance(error, NotAuthorizedException):
        code, detail = "unauthorized", "a valid bearer token is required"
    elif isinstance(error, ClientException) and error.status_code == 400:
        code, detail = "malformed", _malformed_detail(error)
    else:
        detail = error.detail
    headers = dict(error.headers or {})
    if code == "unauthorized":
        headers["WWW-Authenticate"] = "Bearer"
    return problem_response(request, code, detail, headers=headers or None)


def _malformed_detail(error: ClientException) -> str:
    if "JSON" in error.detail:
        return "the body is not valid JSON"
    return error.detail or "the request could not be read"


def handle_exception(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    """The problem response of any exception raised while serving a request."""
    if isinstance(error, DomainError):
        return _domain(request, error)
    if isinstance(error, HTTPException) and error.status_code < 500:
        return _http(request, error)
    if isinstance(error, DataError):
        # A value the domain let through but the database refused (a bug to fix there):
        # still the client's input, so not a 5xx.
        log.warning("database refused a value on %s %s", request.method, request.url.path)
        return problem_response(request, "validation_error", "a value is out of range")
    log.error("unhandled error serving %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(request, "internal_error", "the server failed to answer")


HANDLERS: dict[int | type[Exception], Any] = {Exception: handle_exception}


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI description of a route's error answers, plus 400 and 429 (every route may
    get them): `responses=problems.responses(401, 404)` on a handler. The 400 also replaces
    the framework's own, which is not a problem document."""
    by_status: dict[int, str] = {}
    for code, status in STATUS.items():
        by_status.setdefault(status, code)
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=TITLES[by_status[status]],
            media_type=MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, 400, 429})
    }
