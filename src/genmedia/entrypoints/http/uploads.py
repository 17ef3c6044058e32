"""Reading an upload from a multipart/form-data body as it streams in (POST /v1/media).

The body is parsed incrementally (the `multipart` package's push parser, the one Litestar's
own form parsing uses): the bytes of the part named `file` go straight into the use case's
`Spool`, which refuses them past the size limit or as soon as they do not start like an
accepted image. Nothing is buffered beyond one chunk. A body announced or found larger
than the limit plus MULTIPART_SLACK (room for the part headers and other small fields) is
refused with 413 too, before or while it is read.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import multipart  # type: ignore[import-untyped]
from litestar import Request
from litestar.exceptions import ClientException

from genmedia.application.media.uploads import Spool
from genmedia.domain.errors import InvalidValue, PayloadTooLarge, UnsupportedMedia

FIELD = "file"
MULTIPART_SLACK = 64 * 1024
MAX_PARTS = 16


def boundary_of(request: Request[Any, Any, Any]) -> str:
    """The multipart boundary of the request; UnsupportedMedia unless it is form data."""
    kind, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if kind != "multipart/form-data" or not boundary:
        raise UnsupportedMedia(f"send the image as multipart/form-data, in a part named {FIELD}")
    return str(boundary)


async def limited(request: Request[Any, Any, Any], limit: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks; PayloadTooLarge once more than `limit` bytes are announced or sent."""
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(limit - MULTIPART_SLACK)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(limit - MULTIPART_SLACK)
        yield chunk


class FilePart:
    """Feeds the events of a multipart parser to a spool: the `file` part's bytes only."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.filename: str | None = None
        self.found = False
        self._in_file = False

    def take(self, event: Any) -> None:
        """Handle one parser event: a part's headers, a piece of its body, or its end."""
        if isinstance(event, multipart.MultipartSegment):
            self._in_file = event.name == FIELD and not self.found
            if self._in_file:
                self.filename = event.filename
        elif event is None:
            self.found = self.found or self._in_file
            self._in_file = False
        elif self._in_file:
            self.spool.write(bytes(event))


async def receive_file(request: Request[Any, Any, Any], spool: Spool) -> str | None:
    """Stream the `file` part of the body into `spool`; the file name the client gave."""
    part, boundary = FilePart(spool), boundary_of(request)
    body = limited(request, spool.limits.max_bytes + MULTIPART_SLACK)
    try:
        async with aclosing(body) as chunks:
            with multipart.PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
                async for chunk in chunks:
                    for event in parser.parse(chunk):
                        part.take(event)
    except multipart.MultipartError as error:
        raise ClientException(f"the multipart body is malformed: {error}") from None
    if not part.found:
        raise InvalidValue(FIELD, "is required: send the image in a part named file")
    return part.filename
