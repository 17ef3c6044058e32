"""After `genmedia db upgrade`, the database itself refuses writes that break the wallet's rules."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def upgraded(empty_postgres_url: str) -> str:
    url = empty_postgres_url.replace("postgresql+psycopg://", "postgresql://")
    env = {**os.environ, "GENMEDIA_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "genmedia.entrypoints.cli", "db", "upgrade"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return url


@pytest.fixture
def conn(upgraded: str) -> psycopg.Connection[tuple[object, ...]]:
    connection = psycopg.connect(upgraded, autocommit=True)
    connection.execute("INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
    connection.execute("INSERT INTO wallets (user_id, balance, held) VALUES (1, 10, 4)")
    yield connection
    connection.close()


def ledger_row(reference: str) -> str:
    return (
        "INSERT INTO wallet_transactions (user_id, type, kind, amount, balance_before,"
        " balance_after, reference_id, fingerprint)"
        f" VALUES (1, 'credit', 'bonus', 5, 10, 15, '{reference}', 'f')"
    )


def test_a_negative_balance_is_rejected(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE wallets SET balance = -1, held = 0 WHERE user_id = 1")


def test_held_above_the_balance_is_rejected(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE wallets SET held = 11 WHERE user_id = 1")


def test_a_repeated_reference_id_is_rejected(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(ledger_row("bonus:1"))
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(ledger_row("bonus:1"))


def test_a_ledger_entry_whose_balances_do_not_chain_is_rejected(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(ledger_row("bonus:2").replace(", 10, 15,", ", 10, 16,"))


def test_ledger_entries_cannot_be_changed_or_deleted(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    conn.execute(ledger_row("bonus:3"))
    with pytest.raises(psycopg.errors.RestrictViolation):
        conn.execute("UPDATE wallet_transactions SET amount = 50")
    with pytest.raises(psycopg.errors.RestrictViolation):
        conn.execute("DELETE FROM wallet_transactions")
