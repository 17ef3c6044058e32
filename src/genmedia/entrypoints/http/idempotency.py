"""Idempotency-Key on the POSTs that create something or move credits (API.md, Conventions).

Mark such a handler with `@idempotent` above its route decorator:

    @idempotent
    @post("/v1/requests", status_code=202, sync_to_thread=True)
    def submit(data: SubmitBody, caller: Authenticated, container: Container) -> Accepted: ...

The `Idempotency` middleware then serves every marked route: a request with the header
`Idempotency-Key` runs once per caller and key, and a retry with the same key and the same
body gets the first response again (same status, same body); with another body, 409
`conflict`. The key and the stored response are kept in the database for 24 hours
(GENMEDIA_IDEMPOTENCY_TTL_SECONDS); two concurrent requests with one key run the handler
once, the second waiting for the first one's response. A request without the header runs
as usual. The OpenAPI document lists the header on every marked route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Operation, Parameter, Schema
from litestar.openapi.spec.enums import OpenAPIType

HEADER = "Idempotency-Key"
OPT = "idempotent"
MAX_KEY = 255
H = TypeVar("H", bound=HTTPRouteHandler)

_PARAMETER = Parameter(
    name=HEADER,
    param_in="header",
    required=False,
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY),
    description="Makes a retry of this call safe: the same key and body give the first answer.",
)


@dataclass
class IdempotentOperation(Operation):
    """An OpenAPI operation that takes the Idempotency-Key header."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), _PARAMETER]


def idempotent(handler: H) -> H:
    """Mark a POST handler as honouring Idempotency-Key (see the module docstring)."""
    handler.opt[OPT] = True
    handler.operation_class = IdempotentOperation
    return handler
