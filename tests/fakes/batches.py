"""The fake of the batch port: batches kept without their requests, as the SQL store does."""

from __future__ import annotations

import attrs

from genmedia.application.ports import BatchRepository
from genmedia.domain.batch import GenerationBatch
from genmedia.domain.errors import NotFound
from tests.fakes.base import Repo, keyed


class FakeBatchRepository(Repo, BatchRepository):
    def add(self, batch: GenerationBatch) -> GenerationBatch:
        batch.stored_as(self._new_id(), created_at=self.db.now, updated_at=self.db.now)
        self.db.batches[batch.id or 0] = attrs.evolve(batch, requests=[])
        return batch

    def get(self, batch_id: int) -> GenerationBatch:
        if batch_id not in self.db.batches:
            raise NotFound("batch", batch_id)
        return attrs.evolve(self.db.batches[batch_id])

    def list_for_user(
        self, user_id: int, *, before_id: int | None = None, limit: int = 20
    ) -> list[GenerationBatch]:
        mine = [
            attrs.evolve(b)
            for b in self.db.batches.values()
            if b.user_id == user_id and b.deleted_at is None
        ]
        after = None if before_id is None else (before_id,)
        return keyed(mine, lambda b: (b.id or 0,), after, limit, descending=True)
