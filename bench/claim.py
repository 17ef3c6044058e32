"""Claim latency with a small and a huge backlog of pending jobs, on PostgreSQL.

Claiming one job is what the pipeline does per job before any work starts: the dispatcher's
pick (`SqlJobOutbox.claim_for_dispatch`, which picks and marks the job in one transaction)
and then the worker's guarded claim (`steps.claim_job`). Both are timed together, one
job at a time, as a steady trickle looks to the dispatcher (every round picks the few jobs
that just found room). The last `IN_FLIGHT` claimed jobs stay running, as on a busy worker
pool, and older ones are finished outside the timing, so the in-flight set stays the same
size.

Each backlog has a scratch database of its own, and the two are sampled in turn (small,
large, large, small, …): a slow spell of this machine, which can triple statement times for
a minute, then weighs on both medians alike instead of on whichever was being timed.

The backlog is bulk-inserted in SQL: copies of the rows of one request submitted through
the use case (8 jobs), spread over `USERS` users. After each bulk insert the tables are
vacuumed and analysed, as autovacuum would do on a production database, and a CHECKPOINT
writes the inserted rows out: otherwise the checkpointer would still be writing a million
rows while the large backlog is timed, and every commit's WAL flush would queue behind it
(measured: 3.3 → 12 ms per pick when timed during that write-out).
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from bench.pg import scratch_database
from bench.scratch import scratch_dir
from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import generation_jobs, generation_requests
from genmedia.application.execution import steps
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
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
        conn.execute("CHECKPOINT")


def _pending(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM generation_jobs WHERE status = 'pending'"
        ).fetchone()
    return int(row[0])  # type: ignore[index]


class _Backlog:
    """A scratch database with a backlog of pending jobs, claimed one job at a time."""

    def __init__(self, container: Container, url: str, side: psycopg.Connection) -> None:
        self.container = container
        self.url = url
        self.side = side  # autocommit: finishes jobs outside the timing
        self.pending = _pending(url)
        self.running: deque[int] = deque()

    def sample(self) -> tuple[float, float]:
        """Pick and claim one job; the seconds each took. The last `IN_FLIGHT` jobs claimed
        stay running, older ones are finished (outside the timing)."""
        container = self.container
        clock, policy = container.clock(), container.dispatch_policy()
        started = time.perf_counter()
        with container.uow() as uow:
            picked = uow.outbox.claim_for_dispatch(
                clock.now(), 1, policy.user_cap, policy.max_in_flight
            )
            uow.commit()
        between = time.perf_counter()
        if not picked:
            raise RuntimeError("the dispatcher picked nothing; is the backlog empty?")
        job = steps.claim_job(picked[0].job_id, WORKER, uow=container.uow(), clock=clock)
        ended = time.perf_counter()
        if job is None:
            raise RuntimeError(f"job {picked[0].job_id} could not be claimed")
        self.running.append(picked[0].job_id)
        while len(self.running) > IN_FLIGHT:
            self.side.execute(
                "UPDATE generation_jobs SET status = 'completed', completed_at = now()"
                " WHERE id = %s",
                (self.running.popleft(),),
            )
        return between - started, ended - between


@contextmanager
def _backlog(jobs: int) -> Iterator[_Backlog]:
    """A fresh database with about `jobs` pending jobs over `USERS` users, vacuumed."""
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
                _add_pending(conn, template.id or 0, first_user, jobs)
            _vacuum(url)
            with psycopg.connect(url, autocommit=True) as side:
                yield _Backlog(container, url, side)
        finally:
            container.shutdown_resources()


def run() -> dict[str, float]:
    """Median claim latency with 1,000 and 1,000,000 pending jobs, and their ratio."""
    started = time.perf_counter()
    with _backlog(SMALL) as small, _backlog(LARGE) as large:
        built = time.perf_counter()
        times: dict[int, list[tuple[float, float]]] = {id(small): [], id(large): []}
        for i in range(WARMUP + SAMPLES):
            for backlog in (small, large) if i % 2 else (large, small):
                pick, claim = backlog.sample()
                if i >= WARMUP:
                    times[id(backlog)].append((pick, claim))
    small_ms, large_ms = (_medians(times[id(b)]) for b in (small, large))
    print(
        f"claim: {small.pending:,} pending: pick {small_ms[0]:.2f} ms + claim {small_ms[1]:.2f}"
        f" ms = {small_ms[2]:.2f} ms; {large.pending:,} pending: pick {large_ms[0]:.2f} ms"
        f" + claim {large_ms[1]:.2f} ms = {large_ms[2]:.2f} ms (medians of {SAMPLES} each,"
        f" sampled in turn); building both backlogs took {built - started:.0f} s"
    )
    return {
        "claim.ms_1k": round(small_ms[2], 3),
        "claim.ms_1m": round(large_ms[2], 3),
        "claim.ratio_1m_vs_1k": round(large_ms[2] / small_ms[2], 3),
    }


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Median pick, claim and pick + claim, in ms."""
    picks, claims = ([sample[k] for sample in samples] for k in (0, 1))
    totals = [pick + claim for pick, claim in samples]
    return tuple(statistics.median(v) * 1000 for v in (picks, claims, totals))  # type: ignore[return-value]
