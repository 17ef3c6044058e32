"""Read-side use cases of generation."""

from __future__ import annotations

from genmedia.application.ports import UnitOfWork
from genmedia.domain.media import Media
from genmedia.domain.request import GenerationRequest


def request_details(request_id: int, *, uow: UnitOfWork) -> tuple[GenerationRequest, list[Media]]:
    """A request with its jobs and the media they produced."""
    with uow:
        return uow.requests.get(request_id), uow.media.list_for_request(request_id)
