"""Migration 0015: payments made before it get a `legacy-{id}` reference, `stripe` joins the
providers, and the downgrade refuses while a Stripe payment exists (PostgreSQL, SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine

pytestmark = pytest.mark.integration

SCRIPTS = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
BEFORE = SCRIPTS.get_revision("0015")
PREVIOUS = str(BEFORE.down_revision if BEFORE else "")
OLD_PAYMENT = (
    "INSERT INTO payments (provider, purpose, status, amount, currency, credits) "
    "VALUES ('webhook', 'purchase', 'pending', 500, 'USD', 100)"
)
STRIPE_PAYMENT = (
    "INSERT INTO payments (reference, provider, purpose, status, amount, currency, credits) "
    "VALUES ('pay_new', 'stripe', 'purchase', 'pending', 500, 'USD', 100)"
)


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
            rows = connection.execute(sa.text("SELECT id, reference FROM payments ORDER BY id"))
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def _upgrade_with_an_old_payment(url: str) -> list[tuple[object, ...]]:
    migrate.upgrade(url, PREVIOUS)
    engine = create_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(OLD_PAYMENT))
    finally:
        engine.dispose()
    migrate.upgrade(url)
    return _run(url, STRIPE_PAYMENT)


def test_old_payments_get_a_legacy_reference_and_stripe_is_a_provider_on_postgresql(
    empty_postgres_url: str,
) -> None:
    rows = _upgrade_with_an_old_payment(empty_postgres_url)
    assert [reference for _, reference in rows] == [f"legacy-{rows[0][0]}", "pay_new"]
    with pytest.raises(sa.exc.DataError):
        migrate.downgrade(empty_postgres_url, PREVIOUS)
    _run(empty_postgres_url, "DELETE FROM payments WHERE provider = 'stripe'")
    migrate.downgrade(empty_postgres_url, PREVIOUS)
    assert migrate.current(empty_postgres_url) == PREVIOUS
    migrate.upgrade(empty_postgres_url)
    assert migrate.current(empty_postgres_url) == SCRIPTS.get_current_head()


def test_old_payments_get_a_legacy_reference_and_references_are_unique_on_sqlite(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'payments.db'}"
    rows = _upgrade_with_an_old_payment(url)
    assert [reference for _, reference in rows] == [f"legacy-{rows[0][0]}", "pay_new"]
    with pytest.raises(sa.exc.IntegrityError):
        _run(url, STRIPE_PAYMENT)
    migrate.downgrade(url, PREVIOUS)
    assert migrate.current(url) == PREVIOUS
    migrate.upgrade(url)
