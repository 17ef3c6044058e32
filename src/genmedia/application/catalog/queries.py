"""Read-side use cases of the catalog."""

from __future__ import annotations

from genmedia.application.ports import UnitOfWork
from genmedia.domain.catalog import Feature


def list_features(*, uow: UnitOfWork) -> list[Feature]:
    """Active features by order_index."""
    with uow:
        return uow.features.list_active()
