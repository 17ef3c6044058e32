"""Generation batches in SQL: what was asked; their requests are read with the requests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, without_none
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import generation_batches
from genmedia.adapters.sql.tables.base import live
from genmedia.application.ports import BatchRepository
from genmedia.domain.batch import GenerationBatch
from genmedia.domain.errors import NotFound

_b = generation_batches
_FIELDS = (
    "user_id", "project_id", "feature_id", "template_id", "trained_model_id",
    "reference_media_ids", "images_per_reference", "selected_options", "user_prompt",
    "credits_reserved", "deleted_at",
)  # fmt: skip


def _batch(row: sa.Row[Any]) -> GenerationBatch:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["reference_media_ids"] = list(values["reference_media_ids"] or [])
    values["selected_options"] = values["selected_options"] or {}
    return GenerationBatch(
        id=row.id, created_at=row.created_at, updated_at=row.updated_at, **values
    )


class SqlBatchRepository(SqlRepository, BatchRepository):
    """Batches; their status and totals are not stored (they follow their requests)."""

    def add(self, batch: GenerationBatch) -> GenerationBatch:
        """Insert a batch, giving it its id; its requests join it."""
        values = {name: getattr(batch, name) for name in _FIELDS}
        values = without_none({**values, "created_at": batch.created_at}, "created_at")
        statement = (
            sa.insert(_b).values(values).returning(_b.c.id, _b.c.created_at, _b.c.updated_at)
        )
        row = self._connection.execute(statement).one()
        batch.stored_as(row.id, created_at=row.created_at, updated_at=row.updated_at)
        return batch

    def get(self, batch_id: int) -> GenerationBatch:
        """The batch with this id, deleted or not, or NotFound."""
        row = self._one(sa.select(_b).where(_b.c.id == batch_id))
        if row is None:
            raise NotFound("batch", batch_id)
        return _batch(row)

    def list_for_user(
        self, user_id: int, *, before_id: int | None = None, limit: int = 20
    ) -> list[GenerationBatch]:
        """The user's live batches by id descending, below `before_id` when given."""
        query = sa.select(_b).where(_b.c.user_id == user_id, live(_b))
        after = None if before_id is None else (before_id,)
        return [_batch(row) for row in self._all(keyset(query, ((_b.c.id, True),), after, limit))]
