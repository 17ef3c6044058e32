"""What a store gives an aggregate when it keeps it: its id and the values it generated."""

from __future__ import annotations

from typing import Any, ClassVar

from genmedia.domain.errors import IllegalTransition


class Stored:
    """The act of being stored, for aggregates whose id the database assigns.

    `GENERATED` names the fields a store may fill in besides the id: the times it stamps,
    and, for an aggregate stored with its parts, what storing the parts gave them.
    """

    GENERATED: ClassVar[frozenset[str]] = frozenset({"created_at", "updated_at"})
    id: int | None

    def stored_as(self, id: int, **generated: Any) -> None:
        """Take the id the store gave this aggregate, and what it generated (created_at …)."""
        if self.id is not None and self.id != id:
            raise IllegalTransition(type(self).__name__, f"stored as {self.id}", f"id {id}")
        unknown = sorted(set(generated) - self.GENERATED)
        if unknown:
            raise AttributeError(f"a store does not generate {type(self).__name__}.{unknown[0]}")
        self.id = id
        for name, value in generated.items():
            setattr(self, name, value)
