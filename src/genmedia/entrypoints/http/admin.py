"""The admin section (API.md, Admin): routes under /v1/admin for admins only.

Unlike a user's objects, admin routes do not hide that they exist: without a token they
answer 401, to a caller who is not an admin 403 `forbidden`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ControllerRouterHandler

from genmedia.application.identity.sessions import Authenticated
from genmedia.entrypoints.http.auth import SECURITY


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Let the call through only if its caller is an admin."""
    caller = connection.scope.get("user")
    if not isinstance(caller, Authenticated):
        raise NotAuthorizedException("a bearer token is required")
    if not caller.user.is_admin:
        raise PermissionDeniedException("this route is for admins only")


def admin_router(handlers: Sequence[ControllerRouterHandler], tag: str) -> Router:
    """A router at /v1/admin whose every route needs an admin's bearer token."""
    return Router(
        "/v1/admin",
        route_handlers=list(handlers),
        guards=[admin_only],
        tags=[tag],
        security=SECURITY,
    )
