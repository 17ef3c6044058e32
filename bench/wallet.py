"""Reserve-then-capture on one hot wallet, 16 clients, PostgreSQL: use cases vs raw SQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import psycopg

from bench.pg import scratch_database
from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.system.clock import SystemClock
from genmedia.adapters.system.passwords import ScryptPasswordHasher
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.wallet.holds import CaptureHold, PlaceHold, capture_hold, place_hold

CLIENTS = 16
SECONDS = 6.0
CREDITS = 10_000_000


def measure(clients: int, seconds: float, make_worker: Callable[[], Callable[[], None]]) -> float:
    """Pairs per second over `seconds`, with `clients` threads each running its own worker."""
    stop, start = threading.Event(), threading.Barrier(clients + 1)
    counts = [0] * clients

    def loop(i: int) -> None:
        pair = make_worker()
        start.wait()
        while not stop.is_set():
            pair()
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - began)


def _use_cases(url: str, user_id: int) -> float:
    engine = create_engine(url, pool_size=CLIENTS + 2)
    ttl = timedelta(hours=1)

    def worker() -> Callable[[], None]:
        def pair() -> None:
            hold = place_hold(
                PlaceHold(user_id=user_id, amount=1, ttl=ttl), uow=SqlUnitOfWork(engine)
            )
            capture_hold(CaptureHold(hold_id=hold.id or 0, amount=1), uow=SqlUnitOfWork(engine))

        return pair

    try:
        return measure(CLIENTS, SECONDS, worker)
    finally:
        engine.dispose()


RESERVE = (
    "UPDATE wallets SET held = held + 1, version = version + 1"
    " WHERE user_id = %(u)s AND balance - held >= 1",
    "SELECT now()",
    "INSERT INTO credit_holds (user_id, amount, expires_at)"
    " VALUES (%(u)s, 1, now() + interval '1 hour') RETURNING id",
)
CAPTURE = (
    "SELECT * FROM credit_holds WHERE id = %(h)s",
    "SELECT now()",
    "UPDATE credit_holds SET status = 'captured', captured = 1, settled_at = now()"
    " WHERE id = %(h)s AND status = 'pending'",
    "SAVEPOINT post",
    "UPDATE wallets SET balance = balance - 1, held = held - 1, total_spent = total_spent + 1,"
    " version = version + 1 WHERE user_id = %(u)s AND held >= 1 AND balance - 1 >= held - 1"
    " RETURNING balance",
    "INSERT INTO wallet_transactions (user_id, type, kind, amount, balance_before, balance_after,"
    " reference_id, fingerprint) VALUES (%(u)s, 'debit', 'generation', 1, %(b)s + 1, %(b)s,"
    " %(r)s, 'raw') RETURNING id, created_at",
    "SELECT * FROM credit_lots WHERE user_id = %(u)s AND remaining > 0",
    "UPDATE credit_lots SET remaining = remaining - 1 WHERE id = %(l)s AND remaining >= 1",
    "RELEASE SAVEPOINT post",
)


def _raw(url: str, user_id: int) -> float:
    def worker() -> Callable[[], None]:
        conn = psycopg.connect(url)

        def pair() -> None:
            params: dict[str, object] = {"u": user_id}
            with conn.transaction():
                for statement in RESERVE:
                    cursor = conn.execute(statement, params)
                params["h"] = cursor.fetchone()[0]  # type: ignore[index]
            with conn.transaction():
                params["r"] = f"raw:{params['h']}"
                for statement in CAPTURE:
                    cursor = conn.execute(statement, params)
                    if statement.startswith("UPDATE wallets"):
                        params["b"] = cursor.fetchone()[0]  # type: ignore[index]
                    elif statement.startswith("SELECT * FROM credit_lots"):
                        params["l"] = cursor.fetchone()[0]  # type: ignore[index]

        return pair

    return measure(CLIENTS, SECONDS, worker)


def run() -> dict[str, float]:
    """Both figures from the same run and database, and their ratio."""
    with scratch_database() as url:
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=2)
        cmd = CreateUser(email="hot@bench.example")
        uow = SqlUnitOfWork(engine)
        user = create_user(
            cmd,
            uow=uow,
            hasher=ScryptPasswordHasher(),
            clock=SystemClock(),
            welcome_credits=CREDITS,
        )
        engine.dispose()
        use_cases = _use_cases(url, user.id or 0)
        raw = _raw(url, user.id or 0)
    return {
        "wallet.reserve_capture_per_s": round(use_cases, 1),
        "wallet.raw_sql_per_s": round(raw, 1),
        "wallet.ratio": round(use_cases / raw, 3),
    }
