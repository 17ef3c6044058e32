"""Stored media in SQL."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.media.rows import media_from_row, media_row
from genmedia.adapters.sql.repositories.unnest import as_arrays, insert_all
from genmedia.adapters.sql.tables import generation_media
from genmedia.application.ports import MediaRepository
from genmedia.domain.batch import Made
from genmedia.domain.errors import NotFound
from genmedia.domain.media import Media, MediaKind

_media = generation_media


@functools.cache
def _insert_returning() -> sa.Insert:
    return sa.insert(_media).returning(
        _media.c.id, _media.c.created_at, sort_by_parameter_order=True
    )


def _live_of(media_id: int, user_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    """The conditions that pick one media if it is the user's and not deleted."""
    return (_media.c.id == media_id, _media.c.user_id == user_id, _media.c.deleted_at.is_(None))


def _holding(dialect: str, facts: Mapping[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The conditions that pick media whose metadata holds the facts: containment (@>,
    through the GIN index) on PostgreSQL, json_extract and json_each on SQLite."""
    if dialect == "postgresql":
        return [_media.c.metadata.contains(dict(facts))]
    conditions = []
    for name, value in facts.items():
        path = f'$."{name}"'
        if not isinstance(value, list):
            conditions.append(sa.func.json_extract(_media.c.metadata, path) == value)
            continue
        for item in value:
            each = sa.func.json_each(_media.c.metadata, path).table_valued("value")
            conditions.append(sa.exists(sa.select(1).select_from(each).where(each.c.value == item)))
    return conditions


class SqlMediaRepository(SqlRepository, MediaRepository):
    """Stored media; one row per job output."""

    def add(self, media: Media) -> Media:
        """Insert a media row; AlreadyExists if the job output already has one (checked in a
        savepoint, so the transaction goes on)."""
        key = (media.job_id, media.output_index)
        with unique_or_already_exists(self._connection, "media", key):
            row = self._connection.execute(_insert_returning(), media_row(media)).one()
            media.stored_as(row.id, created_at=row.created_at)
        return media

    def add_all(self, media: Sequence[Media]) -> None:
        """Insert media rows in one statement, giving each its id (no replay check)."""
        if not media:
            return
        values = [media_row(m) for m in media]
        if as_arrays(self._connection, values) and all(
            v.keys() == values[0].keys() for v in values
        ):
            rows = insert_all(self._connection, _media, values)
        else:
            rows = list(self._connection.execute(_insert_returning(), values).all())
        for item, row in zip(media, rows, strict=True):
            item.stored_as(row.id, created_at=row.created_at)

    def get(self, media_id: int) -> Media:
        """The media with this id, soft-deleted or not, or NotFound."""
        row = self._one(sa.select(_media).where(_media.c.id == media_id))
        if row is None:
            raise NotFound("media", media_id)
        return media_from_row(row)

    def list_for_request(self, request_id: int) -> list[Media]:
        """The live media a request produced, by job and output index."""
        query = sa.select(_media).where(
            _media.c.request_id == request_id, _media.c.deleted_at.is_(None)
        )
        order = (_media.c.job_id, _media.c.output_index, _media.c.id)
        return [media_from_row(row) for row in self._all(query.order_by(*order))]

    def made_by_requests(self, request_ids: Collection[int]) -> dict[int, Made]:
        """Per request, its media rows (deleted or not) and the last one's creation, in one
        grouped read through idx_generation_media_request_id's column."""
        if not request_ids:
            return {}
        query = (
            sa.select(
                _media.c.request_id,
                sa.func.count().label("images"),
                sa.func.max(_media.c.created_at).label("last_at"),
            )
            .where(_media.c.request_id.in_(sorted(set(request_ids))))
            .group_by(_media.c.request_id)
        )
        return {row.request_id: Made(row.images, row.last_at) for row in self._all(query)}

    def list_for_user(
        self,
        user_id: int,
        *,
        limit: int,
        after: int | None = None,
        kind: MediaKind | None = None,
        favorite: bool | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> list[Media]:
        """Up to `limit` of the user's live media, highest id first, below `after` if given,
        holding the photo facts if given."""
        conditions = [_media.c.user_id == user_id, _media.c.deleted_at.is_(None)]
        if after is not None:
            conditions.append(_media.c.id < after)
        if kind is not None:
            conditions.append(_media.c.kind == kind)
        if favorite is not None:
            conditions.append(_media.c.is_favorite == favorite)
        if facts:
            conditions.extend(_holding(self._connection.dialect.name, facts))
        query = sa.select(_media).where(*conditions).order_by(_media.c.id.desc()).limit(limit)
        return [media_from_row(row) for row in self._all(query)]

    def set_favorite(self, media_id: int, user_id: int, favorite: bool) -> bool:
        """Set the favorite flag of the user's live media; False if it is not theirs or live."""
        statement = sa.update(_media).where(*_live_of(media_id, user_id))
        return self._connection.execute(statement.values(is_favorite=favorite)).rowcount == 1

    def count_download(self, media_id: int, user_id: int) -> str | None:
        """Add one download to the user's live media in one UPDATE; its storage path."""
        statement = (
            sa.update(_media)
            .where(*_live_of(media_id, user_id))
            .values(download_count=_media.c.download_count + 1)
            .returning(_media.c.storage_path)
        )
        path: str | None = self._connection.execute(statement).scalar_one_or_none()
        return path

    def soft_delete(self, media_id: int, user_id: int, now: datetime) -> bool:
        """Mark the user's live media deleted at `now`; False if it is not theirs or not live."""
        statement = sa.update(_media).where(*_live_of(media_id, user_id)).values(deleted_at=now)
        return self._connection.execute(statement).rowcount == 1

    def purgeable(self, before: datetime, limit: int) -> list[Media]:
        """Media soft-deleted before `before` whose object is not removed yet, oldest first.

        Read through idx_generation_media_purge, which holds only such media.
        """
        query = (
            sa.select(_media)
            .where(
                _media.c.deleted_at.is_not(None),
                _media.c.purged_at.is_(None),
                _media.c.deleted_at < before,
            )
            .order_by(_media.c.deleted_at, _media.c.id)
            .limit(limit)
        )
        return [media_from_row(row) for row in self._all(query)]

    def mark_purged(self, media_ids: Sequence[int], now: datetime) -> int:
        """Record that these deleted media lost their stored object; return how many."""
        if not media_ids:
            return 0
        statement = (
            sa.update(_media)
            .where(
                _media.c.id.in_(list(media_ids)),
                _media.c.deleted_at.is_not(None),
                _media.c.purged_at.is_(None),
            )
            .values(purged_at=now)
        )
        return int(self._connection.execute(statement).rowcount)
