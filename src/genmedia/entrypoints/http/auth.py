"""Bearer authentication: session and API tokens give each handler its caller.

Every route needs a token unless its handler or router says `opt={ANONYMOUS: True}`. The
`Authentication` middleware checks the token (through the `authenticate` use case) and puts
the caller in the scope; a handler asks for it with a parameter `caller: Caller`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from genmedia.application.identity.sessions import Authenticated
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.threads import in_thread

ANONYMOUS = "anonymous"
BEARER = "BearerToken"
SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]


def bearer_secret(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
            return None
    return None


class Authentication(ASGIMiddleware):
    """Refuses a call without a valid bearer token (401); else sets `scope["user"]`."""

    scopes = ("http",)  # type: ignore[assignment]
    exclude_opt_key = ANONYMOUS

    def __init__(self, container: Container) -> None:
        self._authenticate = container.authenticate

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Authenticate, then call the handler."""
        secret = bearer_secret(scope)
        if secret is None:
            raise NotAuthorizedException("a bearer token is required")
        scope["user"] = await in_thread(self._authenticate, secret)
        await next_app(scope, receive, send)


def caller_of(request: Request[Any, Any, Any]) -> Authenticated:
    """The authenticated caller of this request (the `caller` dependency)."""
    user = request.scope.get("user")
    if not isinstance(user, Authenticated):
        raise NotAuthorizedException("a bearer token is required")
    return user


CALLER = Provide(caller_of, sync_to_thread=False)
