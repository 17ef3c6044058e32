"""What a store gives an aggregate when it keeps it: its id and the values it generated."""

from __future__ import annotations

from typing import Any

from genmedia.domain.errors import IllegalTransition


class Stored:
    """The act of being stored, for aggregates whose id the database assigns."""

    id: int | None

    def stored_as(self, id: int, **generated: Any) -> None:
        """Take the id the store gave this aggregate, and what it generated (created_at …)."""
        if self.id is not None and self.id != id:
            raise IllegalTransition(type(self).__name__, f"stored as {self.id}", f"id {id}")
        unknown = [name for name in generated if not hasattr(self, name)]
        if unknown:
            raise AttributeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        self.id = id
        for name, value in generated.items():
            setattr(self, name, value)
