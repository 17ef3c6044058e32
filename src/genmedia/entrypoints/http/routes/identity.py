"""Identity (API.md, IDN-1, IDN-2): register, log in and out, the caller, API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, post
from litestar.params import JSONBody

from genmedia.application.identity.commands import IssueApiToken, LogIn, Register
from genmedia.entrypoints.http.auth import ANONYMOUS, SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.identity import (
    ApiTokenBody,
    ApiTokenView,
    LoginBody,
    MeView,
    RegisterBody,
    RegisteredView,
    SessionView,
    api_token_view,
    me_view,
    registered_view,
    session_view,
)
from genmedia.entrypoints.http.problems import responses


@idempotent
@post(
    "/auth/register",
    status_code=201,
    opt={ANONYMOUS: True},
    responses=responses(400, 409, 422),
    sync_to_thread=True,
)
def register(data: JSONBody[RegisterBody], container: Services) -> RegisteredView:
    """Create an account with the welcome credits, and a first session."""
    done = container.register(Register(email=data.email, password=data.password, name=data.name))
    return registered_view(done.user, done.token)


@post(
    "/auth/login",
    status_code=200,
    opt={ANONYMOUS: True},
    responses=responses(400, 401, 422),
    sync_to_thread=True,
)
def login(
    data: JSONBody[LoginBody], request: Request[Any, Any, Any], container: Services
) -> SessionView:
    """Start a session; a wrong e-mail and a wrong password get the same 401."""
    address = request.client.host if request.client else "unknown"
    session = container.log_in(LogIn(email=data.email, password=data.password, address=address))
    return session_view(session)


@post(
    "/auth/logout",
    status_code=204,
    security=SECURITY,
    responses=responses(401),
    sync_to_thread=True,
)
def logout(caller: Caller, container: Services) -> None:
    """End the session (or delete the API token) this call is made with."""
    container.log_out(caller)


@get("/me", security=SECURITY, responses=responses(401), sync_to_thread=True)
def me(caller: Caller, container: Services) -> MeView:
    """The caller and their wallet."""
    return me_view(*container.profile(caller.user.id or 0))


@idempotent
@post(
    "/api-tokens",
    status_code=201,
    security=SECURITY,
    responses=responses(400, 401, 409, 422),
    sync_to_thread=True,
)
def create_api_token(
    data: JSONBody[ApiTokenBody], caller: Caller, container: Services
) -> ApiTokenView:
    """A new API token; its secret is in this answer only."""
    token = container.issue_api_token(IssueApiToken(user_id=caller.user.id or 0, name=data.name))
    return api_token_view(token)


@delete(
    "/api-tokens/{token_id:int}",
    status_code=204,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def delete_api_token(token_id: Id, caller: Caller, container: Services) -> None:
    """Delete one of the caller's API tokens."""
    container.revoke_api_token(caller.user.id or 0, token_id)


router = Router(
    "/v1",
    route_handlers=[register, login, logout, me, create_api_token, delete_api_token],
    tags=["identity"],
)
