"""Features and tags in SQL."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
    without_none,
)
from genmedia.adapters.sql.tables import generation_features, tags
from genmedia.application.ports import FeatureRepository, TagRepository
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import NotFound

_features = generation_features


@functools.cache
def _feature() -> sa.Select[Any]:
    return sa.select(_features).where(_features.c.id == sa.bindparam("feature"))


def feature_row(feature: Feature) -> dict[str, Any]:
    """The column values of a feature."""
    values = {
        "name": feature.name,
        "category": feature.category,
        "description": feature.description,
        "system_prompt": feature.system_prompt,
        "properties": feature.properties,
        "provider_model_id": feature.provider_model_id,
        "preview_url": feature.preview_url,
        "icon_url": feature.icon_url,
        "is_active": feature.is_active,
        "order_index": feature.order_index,
        "created_at": feature.created_at,
        "deleted_at": feature.deleted_at,
    }
    return without_none(values, "created_at")


def feature_from_row(row: sa.Row[Any]) -> Feature:
    """The feature a row holds."""
    return Feature(
        id=row.id,
        name=row.name,
        category=row.category,
        description=row.description,
        system_prompt=row.system_prompt,
        properties=row.properties or {},
        provider_model_id=row.provider_model_id,
        preview_url=row.preview_url,
        icon_url=row.icon_url,
        is_active=row.is_active,
        order_index=row.order_index,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
    )


class SqlFeatureRepository(SqlRepository, FeatureRepository):
    """Features of the catalog."""

    def add(self, feature: Feature) -> Feature:
        """Insert a feature and give it its id."""
        statement = sa.insert(_features).values(feature_row(feature))
        row = self._connection.execute(statement.returning(_features.c.id, _features.c.created_at))
        feature_id, created_at = row.one()
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

    def list_active(self, category: MediaCategory | None = None) -> list[Feature]:
        """Active live features, optionally of one category, by order_index."""
        query = sa.select(_features).where(
            _features.c.is_active == sa.true(), _features.c.deleted_at.is_(None)
        )
        if category is not None:
            query = query.where(_features.c.category == category)
        rows = self._all(query.order_by(_features.c.order_index, _features.c.id))
        return [feature_from_row(row) for row in rows]


def tag_row(tag: Tag) -> dict[str, Any]:
    """The column values of a tag."""
    return {
        "name": tag.name,
        "color_from": tag.color_from,
        "color_to": tag.color_to,
        "icon": tag.icon,
        "sort_order": tag.sort_order,
        "is_active": tag.is_active,
    }


def tag_from_row(row: sa.Row[Any]) -> Tag:
    """The tag a row holds."""
    return Tag(
        id=row.id,
        name=row.name,
        color_from=row.color_from,
        color_to=row.color_to,
        icon=row.icon,
        sort_order=row.sort_order,
        is_active=row.is_active,
    )


class SqlTagRepository(SqlRepository, TagRepository):
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

    def list(self) -> list[Tag]:
        """Active tags by sort_order."""
        query = sa.select(tags).where(tags.c.is_active == sa.true())
        return [
            tag_from_row(row) for row in self._all(query.order_by(tags.c.sort_order, tags.c.id))
        ]
