"""Retry-After in both of its forms: delta-seconds and an HTTP-date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from genmedia.adapters.providers.delivery import retry_after_seconds

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (http_date(NOW + timedelta(seconds=90)), 90.0),
        ("Sun, 01 Mar 2026 12:02:00 GMT", 120.0),
        ("Sunday, 01-Mar-26 12:02:00 GMT", 120.0),
        ("Sun Mar  1 12:02:00 2026", 120.0),
        (http_date(NOW - timedelta(minutes=5)), 0.0),
    ],
)
def test_seconds_and_http_dates_give_the_seconds_to_wait(value: str, expected: float) -> None:
    assert retry_after_seconds(value, NOW) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "-5", "soon", "1e3", "inf", "nan", "7 seconds", "9" * 400, "32 Foo 2026"],
)
def test_a_missing_negative_or_unreadable_value_gives_none(value: str | None) -> None:
    assert retry_after_seconds(value, NOW) is None
