"""Cursor pagination of every list (API.md, Conventions: Lists).

A list is read by keyset, never by offset, so a page is stable while rows are inserted.
A list handler takes the `page` dependency (a `PageRequest`, read from `?limit=&cursor=`);
its use case takes `after` (the sort key of the last item already shown, or None for the
first page) and `limit`, and fetches `limit + 1` rows in the list's order strictly after
`after`. `PageRequest.of(items, key)` drops the extra row and, when there was one, signs
the key of the last item kept into `next_cursor`:

    @get("/media", sync_to_thread=True)
    def list_media(caller: Caller, page: Paging, container: Services) -> Page[MediaView]:
        media = container.list_media(caller.user.id, after=page.after, limit=page.limit + 1)
        return page.of([media_view(m) for m in media], key=lambda m: [m.id])

For "newest first" the key is `[id]` and the query is `WHERE id < :after ORDER BY id DESC`;
for another order the key lists its columns then the id, e.g. `[trend_score, id]`.

A cursor is the key as JSON, base64url, with an HMAC of the list's path and the key: a
forged or altered cursor, or one taken from another list, is refused with 422
`invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import attrs
from litestar import Request
from litestar.di import Provide
from litestar.params import Parameter, SkipValidation

from genmedia.domain.errors import FieldError

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
Key = Sequence[str | int | float | None]


class InvalidCursor(FieldError):
    """A cursor this server did not make for this list."""

    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("cursor", "is not a cursor of this list")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.frozen
class Cursors:
    """Signs list positions into opaque cursors and reads them back."""

    secret: bytes = attrs.field(repr=False)

    def _mac(self, scope: str, payload: bytes) -> bytes:
        return hmac.new(self.secret, scope.encode() + b"\n" + payload, hashlib.sha256).digest()

    def encode(self, scope: str, key: Key) -> str:
        """The cursor of position `key` in the list `scope`."""
        payload = json.dumps(list(key), separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(scope, payload)[:18])}"

    def decode(self, scope: str, cursor: str) -> tuple[Any, ...]:
        """The position a cursor of the list `scope` names, or InvalidCursor."""
        payload_text, _, mac_text = cursor.partition(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise InvalidCursor() from None
        if not hmac.compare_digest(mac, self._mac(scope, payload)[:18]):
            raise InvalidCursor()
        key = json.loads(payload)
        if not isinstance(key, list):
            raise InvalidCursor()
        return tuple(key)


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None


@attrs.frozen(kw_only=True)
class PageRequest:
    """What a list call asked for: how many items, after which position."""

    limit: int
    after: tuple[Any, ...] | None
    scope: str
    cursors: Cursors

    def of(self, items: Sequence[T], key: Callable[[T], Key]) -> Page[T]:
        """The page of `items` (fetched `limit + 1`), with the cursor of the next page."""
        shown = list(items[: self.limit])
        more = len(items) > self.limit and shown
        return Page(
            items=shown,
            next_cursor=self.cursors.encode(self.scope, key(shown[-1])) if more else None,
        )


def page_request(
    request: Request[Any, Any, Any],
    cursors: SkipValidation[Cursors],
    limit: Annotated[
        int, Parameter(ge=1, le=MAX_LIMIT, description="Items per page (1–100).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Parameter(description="`next_cursor` of the previous page.")
    ] = None,
) -> PageRequest:
    """The `page` dependency: `limit` and the position `cursor` names."""
    scope = request.url.path
    after = cursors.decode(scope, cursor) if cursor is not None else None
    return PageRequest(limit=limit, after=after, scope=scope, cursors=cursors)


PAGE = Provide(page_request, sync_to_thread=False)
