"""Operators' edits of features, tags and provider models in SQL (API.md, Admin).

An edit loads its row with SELECT … FOR UPDATE (on SQLite every transaction is BEGIN
IMMEDIATE, so it already holds the write lock): a second operator's edit of the same row
waits for the first to commit, then applies its own changes on top, so neither is lost.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, written
from genmedia.adapters.sql.repositories.catalog.rows import (
    feature_from_row,
    feature_row,
    provider_model_from_row,
    provider_model_row,
    tag_from_row,
    tag_row,
)
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import (
    generation_features,
    generation_requests,
    generation_templates,
    provider_models,
    tags,
    trained_models,
)
from genmedia.application.ports.catalog_edits import (
    FeatureEdits,
    OrderKey,
    ProviderModelEdits,
    TagEdits,
)
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.errors import InUse, NotFound
from genmedia.domain.provider_model import ProviderModel

_features, _models = generation_features, provider_models


def _row(connection: sa.Connection, table: sa.Table, kind: str, key: int, lock: bool) -> Any:
    query = sa.select(table).where(table.c.id == key)
    row = connection.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(kind, key)
    return row


def _update(connection: sa.Connection, table: sa.Table, key: int | None, values: Any) -> None:
    statement = sa.update(table).where(table.c.id == key).values(values)
    if connection.execute(statement).rowcount != 1:
        raise NotFound(table.name, key)


def _newest(table: sa.Table, query: sa.Select[Any], after: OrderKey | None, limit: int) -> Any:
    return keyset(query, ((table.c.id, True),), after, limit)


class SqlFeatureEdits(SqlRepository, FeatureEdits):
    """Operators' edits of features."""

    def lock(self, feature_id: int) -> Feature:
        """The feature, deleted or not, locked until the transaction ends; NotFound."""
        return feature_from_row(_row(self._connection, _features, "feature", feature_id, True))

    def save(self, feature: Feature) -> None:
        """Write back its editable fields and deletion; AlreadyExists on a live name."""
        values = feature_row(feature)
        values = {k: values[k] for k in (*Feature.EDITABLE, "deleted_at")}
        with written("feature", feature.name):
            _update(self._connection, _features, feature.id, values)

    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Feature]:
        """Live (or deleted) features, active or not, newest first."""
        gone = _features.c.deleted_at.is_not(None) if deleted else _features.c.deleted_at.is_(None)
        query = _newest(_features, sa.select(_features).where(gone), after, limit)
        return [feature_from_row(row) for row in self._all(query)]


class SqlTagEdits(SqlRepository, TagEdits):
    """Operators' edits of tags."""

    def get(self, tag_id: int) -> Tag:
        """The tag, active or not; NotFound."""
        return tag_from_row(_row(self._connection, tags, "tag", tag_id, False))

    def lock(self, tag_id: int) -> Tag:
        """The tag, locked until the transaction ends; NotFound."""
        return tag_from_row(_row(self._connection, tags, "tag", tag_id, True))

    def save(self, tag: Tag) -> None:
        """Write back its editable fields; AlreadyExists if its name is taken."""
        with written("tag", tag.name):
            _update(self._connection, tags, tag.id, tag_row(tag))

    def remove(self, tag_id: int) -> None:
        """Delete the tag (its templates' `tag_id` becomes null); NotFound."""
        if self._connection.execute(sa.delete(tags).where(tags.c.id == tag_id)).rowcount != 1:
            raise NotFound("tag", tag_id)

    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[Tag]:
        """Every tag, newest first."""
        query = _newest(tags, sa.select(tags), after, limit)
        return [tag_from_row(row) for row in self._all(query)]


def _unused(model_id: int) -> list[sa.ColumnElement[bool]]:
    """No feature, template, request or trained model refers to the model."""
    templates, requests = generation_templates, generation_requests
    references: list[sa.ColumnElement[Any]] = [
        _features.c.provider_model_id,
        _features.c.legacy_provider_model_id,
        templates.c.provider_model_id,
        templates.c.legacy_provider_model_id,
        requests.c.provider_model_id,
        trained_models.c.base_model_id,
    ]
    return [~sa.exists().where(column == model_id) for column in references]


class SqlProviderModelEdits(SqlRepository, ProviderModelEdits):
    """Operators' edits of provider models."""

    def lock(self, model_id: int) -> ProviderModel:
        """The model, locked until the transaction ends; NotFound."""
        row = _row(self._connection, _models, "provider_model", model_id, True)
        return provider_model_from_row(row)

    def save(self, model: ProviderModel) -> None:
        """Write back its editable fields; AlreadyExists if its slug is taken."""
        values = provider_model_row(model)
        with written("provider_model", model.model_slug):
            _update(self._connection, _models, model.id, {k: values[k] for k in model.EDITABLE})

    def remove(self, model_id: int) -> None:
        """Delete the model unless something refers to it (InUse); NotFound. Lock it first,
        so that no new reference can be made meanwhile."""
        statement = sa.delete(_models).where(_models.c.id == model_id, *_unused(model_id))
        if self._connection.execute(statement).rowcount == 1:
            return
        _row(self._connection, _models, "provider_model", model_id, False)
        raise InUse("provider_model", model_id, "features, templates, requests or trained models")

    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[ProviderModel]:
        """Every model, newest first."""
        query = _newest(_models, sa.select(_models), after, limit)
        return [provider_model_from_row(row) for row in self._all(query)]
