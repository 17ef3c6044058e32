"""Whole amounts and currency codes shared by credit packs, payments, coupons and gift cards.

Prices are integers in the currency's minor unit (cents for USD, whole stars for XTR): money
is never a float.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from genmedia.domain.errors import InvalidValue

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def normalise_currency(value: str) -> str:
    """An ISO-4217-style code in upper case ("XTR", "USD"), or InvalidValue naming `currency`."""
    code = str(value).strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidValue("currency", "must be a three-letter code such as USD or XTR")
    return code


def whole(
    field: str, minimum: int = 0, *, optional: bool = False
) -> Callable[[Any, Any, Any], None]:
    """An attrs validator: a whole number (no bool) of at least `minimum`; None if optional."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidValue(field, f"must be a whole number of at least {minimum}")

    return check


VND_PER_CREDIT = 1000
"""What one credit is worth in đồng unless configured otherwise."""


@attrs.frozen
class CreditRate:
    """The VND↔credits rate (seed 000): how many đồng one credit is worth."""

    vnd_per_credit: int = attrs.field(validator=whole("vnd_per_credit", 1))

    def vnd_value(self, credits: int) -> int:
        """What `credits` are worth in đồng."""
        return credits * self.vnd_per_credit

    def credits_for(self, vnd: int) -> int:
        """The whole credits `vnd` đồng buy, rounded down."""
        return vnd // self.vnd_per_credit
