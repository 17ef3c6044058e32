"""Rate limits: per token on authenticated routes, per client address on anonymous ones.

Counted in fixed windows by the container's `counters` (Redis when GENMEDIA_REDIS_URL is
set, else this process). Over the limit a call gets 429 `rate_limited` with Retry-After.
Routes with `opt={UNLIMITED: True}` (the operations routes) are not counted.
"""

from __future__ import annotations

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from genmedia.application.identity.sessions import Authenticated
from genmedia.application.ports import Counters
from genmedia.domain.errors import TooManyAttempts
from genmedia.domain.limits import Limit

UNLIMITED = "unlimited"


def client_address(scope: Scope) -> str:
    """The address of the peer that sent this request."""
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimit(ASGIMiddleware):
    """Counts each call against its token's or its address's limit; 429 once over."""

    scopes = ("http",)  # type: ignore[assignment]
    exclude_opt_key = UNLIMITED

    def __init__(self, counters: Counters, per_token: Limit, per_address: Limit) -> None:
        self._counters = counters
        self._per_token = per_token
        self._per_address = per_address

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Count the call, refuse it when over the limit, else call the handler."""
        caller = scope.get("user")
        if isinstance(caller, Authenticated):
            key, limit = f"rate:token:{caller.token.id}", self._per_token
        else:
            key, limit = f"rate:address:{client_address(scope)}", self._per_address
        count = await self._counters.hit_from_loop(key, limit.seconds)
        if not limit.allows(count.hits):
            raise TooManyAttempts(count.resets_in)
        await next_app(scope, receive, send)
