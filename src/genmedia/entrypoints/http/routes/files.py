"""Signed local links (GET /v1/files/{key}): the images of the local media directory.

On the embedded default a media URL is a link to this route that carries its expiry and an
HMAC signature (adapters/storage/signed_urls.py); no token is needed. A forged or altered
link answers 403 `forbidden`, an expired one 410 `link_expired`. With S3 storage, URLs are
presigned S3 URLs instead, and this route answers 404.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from litestar import Router, get
from litestar.params import Parameter
from litestar.response import File

from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.domain.errors import NotFound
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http.auth import ANONYMOUS
from genmedia.entrypoints.http.dependencies import Services
from genmedia.entrypoints.http.problems import responses


def signed_path(container: Container, key: str, expires: str, signature: str) -> Path:
    """The file a signed link names; LinkForged, LinkExpired or NotFound otherwise."""
    storage = container.storage()
    if not isinstance(storage, LocalDirectoryStorage) or storage.signer is None:
        raise NotFound("file", key)
    storage.signer.check(key, expires, signature)
    path = storage.path_of(key)
    if not path.is_file():
        raise NotFound("file", key)
    return path


@get(
    "/files/{key:path}",
    opt={ANONYMOUS: True},
    responses=responses(403, 404, 410, 422),
    sync_to_thread=True,
)
def signed_file(
    key: Annotated[str, Parameter(description="The stored object's key.")],
    expires: Annotated[str, Parameter(description="When the link expires (unix seconds).")],
    signature: Annotated[str, Parameter(description="The link's signature.")],
    container: Services,
) -> File:
    """The image a signed link names, until the link expires."""
    path = signed_path(container, key.lstrip("/"), expires, signature)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return File(path, media_type=media_type, content_disposition_type="inline")


router = Router("/v1", route_handlers=[signed_file], tags=["media"])
