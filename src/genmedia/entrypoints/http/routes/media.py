"""Media (API.md, GEN-8, GEN-9): upload, list, show, download, favorite and delete images.

An upload is read from the multipart body as it streams in (uploads.py) and never held
whole in memory. Another user's media, or a deleted one, answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Router, delete, get, post, put
from litestar.di import Provide
from litestar.openapi.spec import OpenAPIMediaType, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import Parameter, SkipValidation
from litestar.response import Redirect

from genmedia.application.media.library import ListMedia, MediaPage
from genmedia.application.media.uploads import Spool
from genmedia.domain.media import MediaKind
from genmedia.domain.photos import PhotoQuery
from genmedia.domain.uploads import MAX_UPLOAD_BYTES
from genmedia.entrypoints.http.auth import SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import IdempotentOperation, idempotent
from genmedia.entrypoints.http.pagination import Page, PageRequest
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.media import MediaView, media_view
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.threads import in_thread
from genmedia.entrypoints.http.uploads import FIELD, MULTIPART_SLACK, receive_file

# The most any upload body may be, whatever the settings (the Idempotency-Key middleware
# reads a body whole before the handler does); GENMEDIA_UPLOAD_MAX_BYTES may lower it.
BODY_LIMIT = MAX_UPLOAD_BYTES + MULTIPART_SLACK

_FILE_FORM = RequestBody(
    required=True,
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                properties={FIELD: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)},
                required=[FIELD],
            )
        )
    },
)


@dataclass
class UploadOperation(IdempotentOperation):
    """The upload's OpenAPI operation: an Idempotency-Key and a multipart `file` body."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.request_body = _FILE_FORM


@idempotent
@post(
    "/media",
    status_code=201,
    security=SECURITY,
    responses=responses(400, 401, 409, 413, 415, 422),
    request_max_body_size=BODY_LIMIT,
)
async def upload(request: Request[Any, Any, Any], caller: Caller, container: Services) -> MediaView:
    """Upload an image (multipart `file`): 413 above the size limit, 415 unless it is a
    jpeg, png, gif or webp, 422 if it has more pixels than may be decoded."""
    with Spool(container.upload_limits()) as spool:
        filename = await receive_file(request, spool)
        media = await in_thread(container.store_upload, spool, caller.user.id or 0, filename)
    return media_view(await in_thread(container.link_media, media))


upload.operation_class = UploadOperation


def _page(page: PageRequest, found: MediaPage) -> Page[MediaView]:
    after = found.next_after
    cursor = page.cursors.encode(page.scope, [after]) if after is not None else None
    return Page(items=[media_view(item) for item in found.items], next_cursor=cursor)


Fact = Annotated[str | None, Parameter(max_length=64, description="A photo option's value.")]
MediaId = Annotated[int | None, Parameter(ge=1, le=2**63 - 1, description="An id.")]


def photo_query(
    reference_image_id: MediaId = None,
    batch_id: MediaId = None,
    aspect_ratio: Fact = None,
    glasses: Fact = None,
    hair_color: Fact = None,
    hair_style: Fact = None,
    background: Fact = None,
    style: Fact = None,
) -> PhotoQuery:
    """The `photos` dependency: photos by the facts their metadata keeps (seed 003)."""
    return PhotoQuery(
        reference_image_id=reference_image_id,
        batch_id=batch_id,
        aspect_ratio=aspect_ratio,
        glasses=glasses,
        hair_color=hair_color,
        hair_style=hair_style,
        background=background,
        style=style,
    )


@get(
    "/media",
    security=SECURITY,
    responses=responses(401, 422),
    sync_to_thread=True,
    dependencies={"photos": Provide(photo_query, sync_to_thread=False)},
)
def list_media(
    caller: Caller,
    page: Paging,
    container: Services,
    photos: SkipValidation[PhotoQuery],
    kind: Annotated[MediaKind | None, Parameter(description="Only media of this kind.")] = None,
    favorite: Annotated[bool | None, Parameter(description="Only (non-)favorites.")] = None,
) -> Page[MediaView]:
    """The caller's media, newest first, optionally of one kind or by favorite flag, and
    photos by what they were made with: `reference_image_id`, `batch_id`, `aspect_ratio`,
    `glasses`, `hair_color`, `hair_style`, and `background` or `style` (one of the list)."""
    after = int(page.after[0]) if page.after else None
    query = ListMedia(
        user_id=caller.user.id or 0,
        kind=kind,
        favorite=favorite,
        photos=photos,
        after=after,
        limit=page.limit,
    )
    return _page(page, container.list_media(query))


@get(
    "/media/{media_id:int}",
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def get_media(media_id: Id, caller: Caller, container: Services) -> MediaView:
    """One of the caller's media."""
    return media_view(container.get_media(media_id, caller.user.id or 0))


@get(
    "/media/{media_id:int}/content",
    status_code=302,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def media_content(media_id: Id, caller: Caller, container: Services) -> Redirect:
    """Count one download and redirect to a time-limited URL of the image."""
    return Redirect(container.media_content(media_id, caller.user.id or 0), status_code=302)


@put(
    "/media/{media_id:int}/favorite",
    status_code=204,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def favorite(media_id: Id, caller: Caller, container: Services) -> None:
    """Mark one of the caller's media as a favorite."""
    container.set_favorite(media_id, caller.user.id or 0, True)


@delete(
    "/media/{media_id:int}/favorite",
    status_code=204,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def unfavorite(media_id: Id, caller: Caller, container: Services) -> None:
    """Unmark one of the caller's media as a favorite."""
    container.set_favorite(media_id, caller.user.id or 0, False)


@delete(
    "/media/{media_id:int}",
    status_code=204,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def delete_media(media_id: Id, caller: Caller, container: Services) -> None:
    """Delete one of the caller's media; its stored image goes after the retention period."""
    container.delete_media(media_id, caller.user.id or 0)


router = Router(
    "/v1",
    route_handlers=[
        upload, list_media, get_media, media_content, favorite, unfavorite, delete_media,
    ],
    tags=["media"],
)  # fmt: skip
