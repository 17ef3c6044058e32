"""Request ids, structured access logs and request metrics, for every HTTP request.

Each request gets an id: the caller's `X-Request-Id` when it is a plain token of up to 64
characters, else a new one. It is returned in the `X-Request-Id` header and logged. One
access log record per request goes to the `genmedia.http.access` logger, its fields in the
record's `http` attribute (method, path without the query, route, status, duration_ms,
client, user_id, request_id). Tokens, passwords, bodies and query strings are never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.types import HTTPScope, Message, Receive, Send

from genmedia.application.identity.sessions import Authenticated

access_log = logging.getLogger("genmedia.http.access")

HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

App = Callable[[HTTPScope, Receive, Send], Awaitable[None]]
RequestMetric = Callable[[str, str, int, float], None]


def request_id_of(scope: HTTPScope) -> str:
    """The caller's request id if it is sane, else a new one."""
    for name, value in scope["headers"]:
        if name == HEADER.encode():
            text = value.decode("latin-1")
            if _SANE_ID.match(text):
                return text
    return uuid.uuid4().hex


def _record(scope: HTTPScope, request_id: str, status: int, seconds: float) -> dict[str, Any]:
    caller = scope.get("user")
    client = scope.get("client")
    return {
        "request_id": request_id,
        "method": scope["method"],
        "path": scope["path"],
        "route": scope.get("path_template") or "unmatched",
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": client[0] if client else None,
        "user_id": caller.user.id if isinstance(caller, Authenticated) else None,
    }


class Observer:
    """Wraps the serving of one HTTP request with its id, its access log and its metrics."""

    def __init__(self, metric: RequestMetric) -> None:
        self._metric = metric

    async def serve(self, app: App, scope: HTTPScope, receive: Receive, send: Send) -> None:
        """Serve the request through `app`, adding the id header; log and count it."""
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (HEADER.encode(), request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            self._metric(scope["method"], route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                record = _record(scope, request_id, status, seconds)
                access_log.info("%(method)s %(path)s %(status)s", record, extra={"http": record})
