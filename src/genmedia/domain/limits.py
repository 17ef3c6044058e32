"""Limits on how often something may happen: request rates and login failures."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value <= 0:
        raise InvalidValue(attribute.name, "must be positive")


@attrs.frozen
class Limit:
    """At most `hits` in each window of `seconds`."""

    hits: int = attrs.field(validator=_positive)
    seconds: float = attrs.field(validator=_positive)

    def allows(self, count: int) -> bool:
        """Whether the `count`-th hit of a window is still within the limit."""
        return count <= self.hits

    def reached(self, count: int) -> bool:
        """Whether `count` hits in a window leave no room for another."""
        return count >= self.hits
