"""Features and tags in SQL."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import unique_or_already_exists
from genmedia.adapters.sql.repositories.catalog.edits import SqlFeatureEdits, SqlTagEdits
from genmedia.adapters.sql.repositories.catalog.rows import (
    feature_from_row,
    feature_row,
    tag_from_row,
    tag_row,
)
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import generation_features, tags
from genmedia.application.ports import FeatureRepository, TagRepository
from genmedia.application.ports.catalog import OrderKey
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import NotFound

_features = generation_features


@functools.cache
def _feature() -> sa.Select[Any]:
    return sa.select(_features).where(_features.c.id == sa.bindparam("feature"))


class SqlFeatureRepository(SqlFeatureEdits, FeatureRepository):
    """Features of the catalog."""

    def add(self, feature: Feature) -> Feature:
        """Insert a feature and give it its id; AlreadyExists if a live one has its name."""
        statement = sa.insert(_features).values(feature_row(feature))
        statement = statement.returning(_features.c.id, _features.c.created_at)
        with unique_or_already_exists(self._connection, "feature", feature.name):
            feature_id, created_at = self._connection.execute(statement).one()
        feature.stored_as(feature_id, created_at=created_at)
        return feature

    def get(self, feature_id: int) -> Feature:
        """The feature with this id, soft-deleted or not, or NotFound."""
        row = self._connection.execute(_feature(), {"feature": feature_id}).one_or_none()
        if row is None:
            raise NotFound("feature", feature_id)
        return feature_from_row(row)

    def get_by_name(self, name: str) -> Feature | None:
        """The live feature with this name, if any."""
        query = sa.select(_features).where(
            _features.c.name == name, _features.c.deleted_at.is_(None)
        )
        row = self._one(query.order_by(_features.c.id).limit(1))
        return None if row is None else feature_from_row(row)

    def list_active(
        self,
        category: MediaCategory | None = None,
        *,
        after: OrderKey | None = None,
        limit: int | None = None,
    ) -> list[Feature]:
        """Active live features, optionally of one category, by (order_index, id)."""
        query = sa.select(_features).where(
            _features.c.is_active == sa.true(), _features.c.deleted_at.is_(None)
        )
        if category is not None:
            query = query.where(_features.c.category == category)
        order = ((_features.c.order_index, False), (_features.c.id, False))
        return [feature_from_row(row) for row in self._all(keyset(query, order, after, limit))]


class SqlTagRepository(SqlTagEdits, TagRepository):
    """Tags of the catalog."""

    def add(self, tag: Tag) -> Tag:
        """Insert a tag and give it its id; AlreadyExists if the name is taken."""
        statement = sa.insert(tags).values(tag_row(tag)).returning(tags.c.id)
        with unique_or_already_exists(self._connection, "tag", tag.name):
            tag.stored_as(self._connection.execute(statement).scalar_one())
        return tag

    def get_by_name(self, name: str) -> Tag | None:
        """The tag with this name, if any."""
        row = self._one(sa.select(tags).where(tags.c.name == name))
        return None if row is None else tag_from_row(row)

    def list(self, *, after: OrderKey | None = None, limit: int | None = None) -> list[Tag]:
        """Active tags by (sort_order, id)."""
        query = sa.select(tags).where(tags.c.is_active == sa.true())
        order = ((tags.c.sort_order, False), (tags.c.id, False))
        return [tag_from_row(row) for row in self._all(keyset(query, order, after, limit))]
