"""Scratch PostgreSQL databases for one benchmark run, created here and dropped when the
run ends: dropping one deletes its files, which would slow the next phase's file writes
(see bench.scratch)."""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

SERVER = os.environ.get("GENMEDIA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _disconnect(admin: psycopg.Connection[Any], name: str) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
    )


def _drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        _disconnect(admin, name)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yield the URL of a new, empty database; close its connections afterwards and drop it
    when the process exits."""
    name = f"genmedia_bench_{secrets.token_hex(4)}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    atexit.register(_drop, name)
    try:
        yield SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            _disconnect(admin, name)
