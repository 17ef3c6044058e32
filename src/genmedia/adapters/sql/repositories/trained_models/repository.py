"""Trained models (LoRA) in SQL, with the images each is trained on."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    unique_or_already_exists,
    without_none,
)
from genmedia.adapters.sql.repositories.trained_models.rows import (
    image_from_row,
    image_rows,
    trained_model_from_row,
    trained_model_row,
)
from genmedia.adapters.sql.tables import trained_model_images, trained_models
from genmedia.adapters.sql.tables.base import live
from genmedia.application.ports import TrainedModelRepository
from genmedia.domain.errors import NotFound
from genmedia.domain.trained_model import TrainedModel, TrainedModelStatus
from genmedia.domain.training import TrainingImage

_t = trained_models
_i = trained_model_images


def _url_key(model: TrainedModel) -> object:
    return model.weights_url or model.config_url


class SqlTrainedModelRepository(SqlRepository, TrainedModelRepository):
    """Trained models; the weights and config URLs are unique, deleted rows stay hidden."""

    def add(self, model: TrainedModel) -> TrainedModel:
        """Insert a trained model and its images; AlreadyExists if its weights or config URL
        is taken."""
        values = without_none(
            {**trained_model_row(model), "created_at": model.created_at}, "created_at"
        )
        statement = sa.insert(_t).values(values).returning(_t.c.id, _t.c.created_at)
        with unique_or_already_exists(self._connection, "trained_model", _url_key(model)):
            model_id, created_at = self._connection.execute(statement).one()
            model.stored_as(model_id, created_at=created_at)
        if model.images:
            self._connection.execute(sa.insert(_i), image_rows(model))
        return model

    def get(self, model_id: int, *, for_update: bool = False) -> TrainedModel:
        """The live trained model with this id, or NotFound; locked if `for_update`."""
        return self._one_of(_t.c.id == model_id, model_id, for_update)

    def get_by_training(self, request_id: int) -> TrainedModel:
        """The live model that the request `request_id` trains, or NotFound."""
        return self._one_of(_t.c.training_request_id == request_id, request_id)

    def save(self, model: TrainedModel) -> None:
        """Write back every changeable column; NotFound if the row is gone or deleted."""
        statement = (
            sa.update(_t).where(_t.c.id == model.id, live(_t)).values(trained_model_row(model))
        )
        with unique_or_already_exists(self._connection, "trained_model", _url_key(model)):
            updated = self._connection.execute(statement).rowcount
        if updated != 1:
            raise NotFound("trained_model", model.id)

    def list_for_owner(
        self, owner_id: int, limit: int = 50, *, after: int | None = None
    ) -> list[TrainedModel]:
        """The owner's live models in any status, newest first."""
        return self._list(_t.c.owner_id == owner_id, limit, after)

    def list_public(self, limit: int = 50, *, after: int | None = None) -> list[TrainedModel]:
        """Live public models that are completed, newest first."""
        public = sa.and_(_t.c.is_public == sa.true(), _t.c.status == TrainedModelStatus.COMPLETED)
        return self._list(public, limit, after)

    def _one_of(
        self, which: sa.ColumnElement[bool], key: int, for_update: bool = False
    ) -> TrainedModel:
        query = sa.select(_t).where(which, live(_t))
        found = self._load(query.with_for_update() if for_update else query)
        if not found:
            raise NotFound("trained_model", key)
        return found[0]

    def _list(
        self, which: sa.ColumnElement[bool], limit: int, after: int | None
    ) -> list[TrainedModel]:
        query = sa.select(_t).where(which, live(_t))
        if after is not None:
            query = query.where(_t.c.id < after)
        return self._load(query.order_by(_t.c.id.desc()).limit(limit))

    def _load(self, query: sa.Select[Any]) -> list[TrainedModel]:
        rows = self._all(query)
        images: dict[int, list[TrainingImage]] = defaultdict(list)
        if rows:
            of = sa.select(_i).where(_i.c.trained_model_id.in_([row.id for row in rows]))
            for row in self._all(of.order_by(_i.c.trained_model_id, _i.c.image_order)):
                images[row.trained_model_id].append(image_from_row(row))
        return [trained_model_from_row(row, images[row.id]) for row in rows]
