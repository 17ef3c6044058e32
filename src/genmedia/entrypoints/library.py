"""Helpers for programs that use genmedia as a library."""

from __future__ import annotations

from collections.abc import Sequence

from genmedia.adapters.sql import migrate
from genmedia.domain.request import GenerationRequest
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.follow import follow


def upgrade_database(container: Container) -> None:
    """Apply every migration to the container's database."""
    migrate.upgrade(container.config.database_url())


def wait_for(
    container: Container, request_ids: Sequence[int], timeout: float = 600
) -> list[GenerationRequest]:
    """Block until every job of these requests is finished, without a progress bar."""
    return follow(container, request_ids, show=False, timeout=timeout)
