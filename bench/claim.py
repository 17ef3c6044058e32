"""Claim latency with a small and a huge backlog of pending jobs, on PostgreSQL.

Claiming one job is what the pipeline does per job before any work starts: the dispatcher's
pick (`SqlJobOutbox.claim_for_dispatch`, which picks and marks the job in one transaction)
and then the worker's guarded claim (`execution.claim_job`). Both are timed together, one
job at a time, as a steady trickle looks to the dispatcher (every round picks the few jobs
that just found room). The last `IN_FLIGHT` claimed jobs stay running, as on a busy worker
pool, and older ones are finished outside the timing, so the in-flight set stays the same
size.

The backlog is bulk-inserted in SQL: copies of the rows of one request submitted through
the use case (8 jobs), spread over `USERS` users. After each bulk insert the tables are
vacuumed and analysed, as autovacuum would do on a production database.
"""

from __future__ import annotations

import statistics
import time
from collections import deque

import psycopg
from psycopg import sql

from bench.pg import scratch_database
from bench.scratch import scratch_dir
from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.application import execution
from genmedia.application.commands import CreateUser, SubmitRequest
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings

USERS = 10_000
BATCH = 8
SMALL, LARGE = 1_000, 1_000_000
CHUNK = 200_000  # jobs per INSERT statement
SAMPLES = 300
WARMUP = 30
IN_FLIGHT = 32
WORKER = "bench-claim:1"


def _columns(table: object, *skip: str) -> list[str]:
    return [c.name for c in table.c if c.name not in skip]  # type: ignore[attr-defined]


def _ids(names: list[str], prefix: str = "") -> sql.Composed:
    return sql.SQL(", ").join(sql.SQL(prefix) + sql.Identifier(n) for n in names)


def _add_users(conn: psycopg.Connection, count: int) -> int:
    """Insert `count` users; the first one's id (they are consecutive)."""
    row = conn.execute(
        "INSERT INTO users (email, name) SELECT 'claim-' || g || '@bench.example', 'claim ' || g"
        " FROM generate_series(1, %s) g RETURNING id",
        (count,),
    ).fetchall()
    ids = sorted(r[0] for r in row)
    assert ids[-1] - ids[0] == count - 1, "user ids are not consecutive"
    return int(ids[0])


def _add_pending(
    conn: psycopg.Connection, template_request: int, first_user: int, jobs: int
) -> None:
    """Add `jobs` pending jobs (rounded up to whole requests of `BATCH`), copied from the
    template request's jobs."""
    req_cols = _columns(generation_requests, "id", "user_id", "created_at", "updated_at")
    job_cols = _columns(
        generation_jobs, "id", "request_id", "user_id", "status", "created_at", "updated_at"
    )
    copy_requests = sql.SQL(
        "INSERT INTO generation_requests (user_id, {cols})"
        " SELECT %(first)s + ((%(offset)s + g) %% %(users)s), {src}"
        " FROM generate_series(0, %(n)s - 1) g, generation_requests s WHERE s.id = %(tpl)s"
    ).format(cols=_ids(req_cols), src=_ids(req_cols, "s."))
    copy_jobs = sql.SQL(
        "INSERT INTO generation_jobs (request_id, user_id, status, {cols})"
        " SELECT r.id, r.user_id, 'pending', {src} FROM generation_requests r"
        " JOIN generation_jobs j ON j.request_id = %(tpl)s"
        " WHERE r.id > %(after)s ORDER BY r.id, j.job_index"
    ).format(cols=_ids(job_cols), src=_ids(job_cols, "j."))
    offset = 0
    while offset < jobs:
        requests = -(-min(CHUNK, jobs - offset) // BATCH)
        after = conn.execute("SELECT max(id) FROM generation_requests").fetchone()[0]  # type: ignore[index]
        params = {
            "first": first_user,
            "offset": offset // BATCH,
            "users": USERS,
            "n": requests,
            "tpl": template_request,
            "after": after,
        }
        conn.execute(copy_requests, params)
        conn.execute(copy_jobs, params)
        conn.commit()
        offset += requests * BATCH


def _vacuum(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE generation_requests")
        conn.execute("VACUUM ANALYZE generation_jobs")


def _pending(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM generation_jobs WHERE status = 'pending'"
        ).fetchone()
    return int(row[0])  # type: ignore[index]


def _measure(container: Container, url: str, samples: int) -> tuple[float, float, float]:
    """Median pick, claim and pick + claim times in ms over `samples` jobs."""
    clock = container.clock()
    policy = container.dispatch_policy()
    running: deque[int] = deque()
    picks, claims, totals = [], [], []
    with psycopg.connect(url, autocommit=True) as side:
        for i in range(WARMUP + samples):
            started = time.perf_counter()
            with container.uow() as uow:
                picked = uow.outbox.claim_for_dispatch(
                    clock.now(), 1, policy.user_cap, policy.max_in_flight
                )
                uow.commit()
            between = time.perf_counter()
            if not picked:
                raise RuntimeError("the dispatcher picked nothing; is the backlog empty?")
            job = execution.claim_job(picked[0].job_id, WORKER, uow=container.uow(), clock=clock)
            ended = time.perf_counter()
            if job is None:
                raise RuntimeError(f"job {picked[0].job_id} could not be claimed")
            running.append(picked[0].job_id)
            while len(running) > IN_FLIGHT:
                side.execute(
                    "UPDATE generation_jobs SET status = 'completed', completed_at = now()"
                    " WHERE id = %s",
                    (running.popleft(),),
                )
            if i >= WARMUP:
                picks.append(between - started)
                claims.append(ended - between)
                totals.append(ended - started)
        side.execute(
            "UPDATE generation_jobs SET status = 'completed', completed_at = now()"
            " WHERE id = ANY(%s)",
            (list(running),),
        )

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    return ms(picks), ms(claims), ms(totals)


def run() -> dict[str, float]:
    """Median claim latency with 1,000 and 1,000,000 pending jobs, and their ratio."""
    home = scratch_dir("genmedia-bench-claim-")
    with scratch_database() as url:
        migrate.upgrade(url)
        container = build_container(Settings(home=home, database_url=url, pool_size=2))
        try:
            container.seed_catalog()
            user = container.ensure_user(CreateUser(email="claim-template@bench.example"))
            template = container.submit_request(
                SubmitRequest(
                    user_id=user.id or 0,
                    template="neon-city",
                    input_metadata={"batch_size": BATCH},
                    params={"width": 64, "height": 64},
                )
            )
            with psycopg.connect(url) as conn:
                first_user = _add_users(conn, USERS)
                conn.execute(
                    "UPDATE generation_jobs SET status = 'cancelled' WHERE request_id = %s",
                    (template.id,),
                )
                conn.commit()
                started = time.perf_counter()
                _add_pending(conn, template.id or 0, first_user, SMALL)
                _vacuum(url)
                small = _measure(container, url, SAMPLES)
                small_backlog = _pending(url)
                _add_pending(conn, template.id or 0, first_user, LARGE - small_backlog)
                filled = time.perf_counter()
                _vacuum(url)
                vacuumed = time.perf_counter()
                large_backlog = _pending(url)
                large = _measure(container, url, SAMPLES)
        finally:
            container.shutdown_resources()
    print(
        f"claim: {small_backlog:,} pending: pick {small[0]:.2f} ms + claim {small[1]:.2f} ms"
        f" = {small[2]:.2f} ms; {large_backlog:,} pending: pick {large[0]:.2f} ms"
        f" + claim {large[1]:.2f} ms = {large[2]:.2f} ms (medians of {SAMPLES});"
        f" bulk insert {filled - started:.0f} s, vacuum {vacuumed - filled:.0f} s"
    )
    return {
        "claim.ms_1k": round(small[2], 3),
        "claim.ms_1m": round(large[2], 3),
        "claim.ratio_1m_vs_1k": round(large[2] / small[2], 3),
    }
