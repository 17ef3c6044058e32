"""Trained models (LoRA) in SQL."""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
    without_none,
)
from genmedia.adapters.sql.repositories.trained_models.rows import (
    trained_model_from_row,
    trained_model_row,
)
from genmedia.adapters.sql.tables import trained_models
from genmedia.adapters.sql.tables.base import live
from genmedia.application.ports import TrainedModelRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.trained_model import TrainedModel, TrainedModelStatus

_t = trained_models


def _url_key(model: TrainedModel) -> object:
    return model.weights_url or model.config_url


class SqlTrainedModelRepository(SqlRepository, TrainedModelRepository):
    """Trained models; the weights and config URLs are unique, deleted rows stay hidden."""

    def add(self, model: TrainedModel) -> TrainedModel:
        """Insert a trained model; AlreadyExists if its weights or config URL is taken."""
        values = without_none(
            {**trained_model_row(model), "created_at": model.created_at}, "created_at"
        )
        statement = sa.insert(_t).values(values).returning(_t.c.id, _t.c.created_at)
        with unique_or_already_exists(self._connection, "trained_model", _url_key(model)):
            model_id, created_at = self._connection.execute(statement).one()
            model.stored_as(model_id, created_at=created_at)
        return model

    def get(self, model_id: int) -> TrainedModel:
        """The live trained model with this id, or NotFound."""
        row = self._one(sa.select(_t).where(_t.c.id == model_id, live(_t)))
        if row is None:
            raise NotFound("trained_model", model_id)
        return trained_model_from_row(row)

    def save(self, model: TrainedModel) -> None:
        """Write back every changeable column; NotFound if the row is gone or deleted."""
        statement = (
            sa.update(_t).where(_t.c.id == model.id, live(_t)).values(trained_model_row(model))
        )
        with unique_or_already_exists(self._connection, "trained_model", _url_key(model)):
            updated = self._connection.execute(statement).rowcount
        if updated != 1:
            raise NotFound("trained_model", model.id)

    def list_for_owner(self, owner_id: int, limit: int = 50) -> list[TrainedModel]:
        """The owner's live models in any status, newest first."""
        query = sa.select(_t).where(_t.c.owner_id == owner_id, live(_t))
        rows = self._all(query.order_by(_t.c.id.desc()).limit(limit))
        return [trained_model_from_row(row) for row in rows]

    def list_public(self, limit: int = 50) -> list[TrainedModel]:
        """Live public models that are completed, newest first."""
        query = sa.select(_t).where(
            _t.c.is_public == sa.true(),
            _t.c.status == TrainedModelStatus.COMPLETED,
            live(_t),
        )
        rows = self._all(query.order_by(_t.c.id.desc()).limit(limit))
        return [trained_model_from_row(row) for row in rows]
