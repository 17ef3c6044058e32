"""Read-side use cases of generation: a user's requests, one request with its media."""

from __future__ import annotations

from genmedia.application.inputs import choice_of
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import UnitOfWork
from genmedia.domain.media import Media
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status


def request_details(request_id: int, *, uow: UnitOfWork) -> tuple[GenerationRequest, list[Media]]:
    """Any request with its jobs and the media they produced (for trusted callers: the CLI,
    operators); `request_of` is the one a user may see."""
    with uow:
        uow.read_snapshot()
        return uow.requests.get(request_id), uow.media.list_for_request(request_id)


def request_of(
    user_id: int, request_id: int, *, uow: UnitOfWork
) -> tuple[GenerationRequest, list[Media]]:
    """The user's live request with its jobs and media; NotFound for anyone else's."""
    with uow:
        uow.read_snapshot()
        request = uow.requests.get(request_id)
        request.check_seen_by(user_id)
        return request, uow.media.list_for_request(request_id)


def list_requests(
    user_id: int,
    status: Status | str | None = None,
    *,
    uow: UnitOfWork,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
    archived: bool = False,
) -> Page[GenerationRequest]:
    """The user's live requests with their jobs, optionally in one status, newest first;
    the archived ones instead when `archived`."""
    chosen = choice_of(Status, status, "status")
    check_window(after, limit, 1)
    with uow:
        uow.read_snapshot()
        rows = uow.requests.list_for_user(
            user_id,
            status=chosen,
            before_id=after[0] if after else None,
            limit=limit + 1,
            archived=archived,
        )
    return page_of(rows, limit, lambda r: (r.id or 0,))
