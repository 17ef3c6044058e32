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

A call that ends in an error (4xx or 5xx problem) keeps no answer: it created nothing, so a
retry with the key runs again. The body is read once, into memory up to 1 MiB and on disk
beyond, both to fingerprint it and to hand it on to the handler.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import anyio
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import Operation, Parameter, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from genmedia.application.identity.sessions import Authenticated
from genmedia.application.operations.idempotency import ClaimKey
from genmedia.domain.idempotency import KEY_LIMIT, StillRunning, StoredAnswer
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.limits import client_address
from genmedia.entrypoints.http.threads import in_thread

HEADER = "Idempotency-Key"
OPT = "idempotent"
MAX_KEY = KEY_LIMIT
H = TypeVar("H", bound=HTTPRouteHandler)
IN_MEMORY = 1 << 20
CHUNK = 64 * 1024
WAIT_SECONDS = 30.0
FIRST_POLL, LAST_POLL = 0.01, 0.25

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


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _caller(scope: Scope) -> str:
    caller = scope.get("user")
    if isinstance(caller, Authenticated):
        return f"user:{caller.user.id}"
    return f"address:{client_address(scope)}"


class _Body:
    """A request body read once: fingerprinted, kept, and handed on to the handler."""

    def __init__(self, scope: HTTPScope) -> None:
        # Closed by the middleware once the call is over.
        self.file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
        self.digest = hashlib.sha256()
        for part in (scope["method"], scope["path"], scope.get("query_string", b"")):
            self.digest.update(part if isinstance(part, bytes) else part.encode())
            self.digest.update(b"\n")
        self.size = 0
        self.replayed = False

    async def read(self, receive: Receive, limit: int | None) -> None:
        """Take in the whole body; 413 beyond `limit` bytes."""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise anyio.get_cancelled_exc_class()()
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if limit is not None and self.size > limit:
                raise RequestEntityTooLarge()
            self.file.write(chunk)
            self.digest.update(chunk)
            more = message.get("more_body", False)
        self.file.seek(0)

    def replay(self, receive: Receive) -> Receive:
        """A `receive` giving the kept body, then what the client sends next."""

        async def receive_body() -> Any:
            if self.replayed:
                return await receive()
            chunk = self.file.read(CHUNK)
            more = self.file.tell() < self.size
            self.replayed = not more
            return {"type": "http.request", "body": chunk, "more_body": more}

        return receive_body


class _Recorder:
    """Passes a response on while keeping a copy of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        """Keep what the message adds to the response, then send it."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
            ]
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))
        await self._send(message)

    def answer(self) -> StoredAnswer:
        """The response as it was sent."""
        return StoredAnswer(status=self.status, headers=self.headers, body=bytes(self.body))


async def _replay(send: Send, answer: StoredAnswer) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})


class Idempotency(ASGIMiddleware):
    """Runs a marked POST once per caller and Idempotency-Key; replays its answer."""

    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, container: Container) -> None:
        self._claim: Callable[[ClaimKey], StoredAnswer | None] = container.claim_idempotency_key
        self._answer = container.answer_idempotency_key
        self._release = container.release_idempotency_key

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Replay the first answer to this key, or run the call and keep its answer."""
        key = _header(scope, b"idempotency-key")
        if key is None or not scope["route_handler"].opt.get(OPT):
            await next_app(scope, receive, send)
            return
        handler = scope["route_handler"]
        limit = (
            handler.resolve_request_max_body_size()
            if isinstance(handler, HTTPRouteHandler)
            else None
        )
        body = _Body(cast(HTTPScope, scope))
        try:
            await body.read(receive, limit)
            claim = ClaimKey(scope=_caller(scope), key=key, fingerprint=body.digest.hexdigest())
            first = await self._first_answer(claim)
            if first is not None:
                await _replay(send, first)
                return
            await self._run(claim, next_app, scope, body.replay(receive), send)
        finally:
            body.file.close()

    async def _first_answer(self, claim: ClaimKey) -> StoredAnswer | None:
        """None once this call holds the key; else the first call's answer, waited for."""
        delay, waited = FIRST_POLL, 0.0
        while True:
            try:
                return await in_thread(self._claim, claim)
            except StillRunning:
                if waited >= WAIT_SECONDS:
                    raise
            await anyio.sleep(delay)
            waited += delay
            delay = min(delay * 2, LAST_POLL)

    async def _run(
        self, claim: ClaimKey, next_app: ASGIApp, scope: Scope, receive: Receive, send: Send
    ) -> None:
        recorder = _Recorder(send)
        try:
            await next_app(scope, receive, recorder.send)
        except BaseException:
            await in_thread(self._release, claim.scope, claim.key)
            raise
        if recorder.status < 400:
            await in_thread(self._answer, claim.scope, claim.key, recorder.answer())
        else:
            await in_thread(self._release, claim.scope, claim.key)
