"""Provider models in SQL."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import unique_or_already_exists
from genmedia.adapters.sql.repositories.catalog.edits import SqlProviderModelEdits
from genmedia.adapters.sql.repositories.catalog.rows import (
    provider_model_from_row,
    provider_model_row,
)
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import provider_models
from genmedia.application.ports import ProviderModelRepository
from genmedia.application.ports.catalog import OrderKey
from genmedia.domain.errors import NotFound
from genmedia.domain.provider_model import ModelCategory, ProviderModel

_models = provider_models


@functools.cache
def _model() -> sa.Select[Any]:
    return sa.select(_models).where(_models.c.id == sa.bindparam("model"))


class SqlProviderModelRepository(SqlProviderModelEdits, ProviderModelRepository):
    """Provider models."""

    def add(self, model: ProviderModel) -> ProviderModel:
        """Insert a provider model; AlreadyExists if the slug is taken."""
        statement = sa.insert(_models).values(provider_model_row(model)).returning(_models.c.id)
        with unique_or_already_exists(self._connection, "provider_model", model.model_slug):
            model.stored_as(self._connection.execute(statement).scalar_one())
        return model

    def get(self, model_id: int) -> ProviderModel:
        """The provider model with this id, or NotFound."""
        row = self._connection.execute(_model(), {"model": model_id}).one_or_none()
        if row is None:
            raise NotFound("provider_model", model_id)
        return provider_model_from_row(row)

    def get_by_slug(self, slug: str) -> ProviderModel | None:
        """The provider model with this slug, if any."""
        row = self._one(sa.select(_models).where(_models.c.model_slug == slug))
        return None if row is None else provider_model_from_row(row)

    def get_default(self) -> ProviderModel | None:
        """The active model marked default (the oldest, should several be), if any."""
        query = sa.select(_models).where(
            _models.c.is_default == sa.true(), _models.c.is_active == sa.true()
        )
        row = self._one(query.order_by(_models.c.id).limit(1))
        return None if row is None else provider_model_from_row(row)

    def save_schema(self, model: ProviderModel) -> None:
        """Write back the model's param schema and when it was synced; NotFound if gone."""
        statement = (
            sa.update(_models)
            .where(_models.c.id == model.id)
            .values(param_schema=model.param_schema, synced_at=model.synced_at)
        )
        if self._connection.execute(statement).rowcount != 1:
            raise NotFound("provider_model", model.id)

    def list_active(
        self,
        category: ModelCategory | None = None,
        *,
        after: OrderKey | None = None,
        limit: int | None = None,
    ) -> list[ProviderModel]:
        """Active models, optionally of one category, by id."""
        query = sa.select(_models).where(_models.c.is_active == sa.true())
        if category is not None:
            query = query.where(_models.c.category == category)
        rows = self._all(keyset(query, ((_models.c.id, False),), after, limit))
        return [provider_model_from_row(row) for row in rows]
