"""What a provider said a task cost, in the provider's own unit (providers.md §7).

No provider answers in one currency: BFL names credits, fal billable units, Replicate
seconds of compute, OpenRouter US dollars. A cost is kept as the provider said it, amount
and unit together; the unit is the adapter's, from the wire, never guessed.
"""

from __future__ import annotations

import enum
import math

import attrs

from genmedia.domain.errors import InvalidValue


class CostUnit(enum.StrEnum):
    """The unit of a provider's cost signal."""

    BFL_CREDITS = "bfl_credits"  # BFL's submit answer, `cost`
    FAL_BILLABLE_UNITS = "fal_billable_units"  # the `x-fal-billable-units` header of a result
    REPLICATE_PREDICT_SECONDS = "replicate_predict_seconds"  # `metrics.predict_time`
    USD = "usd"  # OpenRouter's `usage.cost`, whose credits are US dollars


def _not_negative(_: object, __: object, amount: float) -> None:
    if not math.isfinite(amount) or amount < 0:
        raise InvalidValue("provider_cost", f"must be a finite amount >= 0, not {amount!r}")


def _unit(unit: str | None) -> CostUnit:
    if unit not in set(CostUnit):
        known = ", ".join(CostUnit)
        raise InvalidValue("provider_cost_unit", f"must be one of {known}, not {unit!r}")
    return CostUnit(unit)


@attrs.frozen
class ProviderCost:
    """An amount in a provider's unit: what the provider said one task cost."""

    amount: float = attrs.field(converter=float, validator=_not_negative)
    unit: CostUnit = attrs.field(converter=_unit)

    @classmethod
    def stored(cls, amount: float | None, unit: str | None) -> ProviderCost | None:
        """The cost kept as an amount and a unit; None if no amount was kept. An amount
        without its unit is refused: the unit is never guessed."""
        return None if amount is None else cls(amount, _unit(unit))


def cost_facts(cost: ProviderCost | None) -> dict[str, float | str | None]:
    """The cost as a job's output metadata records it: its amount and its unit."""
    if cost is None:
        return {"provider_cost": None, "provider_cost_unit": None}
    return {"provider_cost": cost.amount, "provider_cost_unit": cost.unit.value}
