"""Read-side use cases for the entrypoints."""

from __future__ import annotations

from genmedia.application.ports import UnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.errors import NotFound
from genmedia.domain.media import Media
from genmedia.domain.request import GenerationRequest
from genmedia.domain.user import User, normalise_email


def request_details(request_id: int, *, uow: UnitOfWork) -> tuple[GenerationRequest, list[Media]]:
    """A request with its jobs and the media they produced."""
    with uow:
        return uow.requests.get(request_id), uow.media.list_for_request(request_id)


def find_user(email: str, *, uow: UnitOfWork) -> User:
    """The user with this e-mail, or NotFound."""
    with uow:
        user = uow.users.get_by_email(normalise_email(email))
    if user is None:
        raise NotFound("user", email)
    return user


def list_features(*, uow: UnitOfWork) -> list[Feature]:
    """Active features by order_index."""
    with uow:
        return uow.features.list_active()
