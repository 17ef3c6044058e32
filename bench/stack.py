"""A production-shaped genmedia for the pipeline benchmark, and the tools to drive it.

Each stack has its own scratch PostgreSQL database (migrated), its own Redis namespace in
the benchmark's Redis database, and its own home directory; all are removed afterwards.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import secrets
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

import attrs
import redis
import sqlalchemy as sa
from dependency_injector import providers

from bench.instant import InstantProvider
from bench.pg import scratch_database
from bench.scratch import scratch_dir
from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.domain.status import Status
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings

REDIS_URL = os.environ.get("GENMEDIA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CREDITS = 10_000_000
SMALL = {"width": 64, "height": 64}
FINISHED = ("completed", "failed", "cancelled")

# What the operator of one worker process with 8 threads would set: a dispatch poll short
# enough for sub-100 ms pickup; room in flight for the 8 running jobs, the 16 prefetched
# and the finished ones whose completions wait for the next batch write (docs/operations.md
# sizes it: this worker levels off at 128, 64 costs it about a fifth); no per-user cap
# below that (the benchmark has one user); and a connection pool covering every thread
# (8 job threads, dispatcher, maintenance, retention, heartbeat) without overflow churn.
OPERATOR: dict[str, Any] = {
    "worker_threads": 8,
    "dispatch_interval": 0.05,
    "max_in_flight": 128,
    "user_concurrency": 128,
    "pool_size": 16,
}


def drop_namespace(url: str, namespace: str) -> int:
    """Delete every Redis key of this namespace (and only those); how many."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


@contextmanager
def bench_settings(name: str, **overrides: Any) -> Iterator[Settings]:
    """Settings for a fresh stack: scratch database, Redis namespace, home directory (kept
    until the process ends, see `bench.scratch`)."""
    namespace = f"genmedia-bench-{name}-{secrets.token_hex(4)}"
    home = scratch_dir(f"genmedia-bench-{name}-")
    with scratch_database() as url:
        migrate.upgrade(url)
        values = {**OPERATOR, **overrides}
        settings = Settings(
            home=home,
            database_url=url,
            redis_url=REDIS_URL,
            redis_namespace=namespace,
            **values,
        )
        try:
            yield settings
        finally:
            drop_namespace(REDIS_URL, namespace)


def settings_env(settings: Settings) -> dict[str, str]:
    """The GENMEDIA_* variables that give a worker process these settings."""
    env = {}
    for field in attrs.fields(Settings):
        value = getattr(settings, field.name)
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        env["GENMEDIA_" + field.name.upper()] = text
    return env


def use_instant_provider(container: Container) -> None:
    """Make the instant provider the container's only provider, named "local"."""
    container.provider_gateways.override(providers.Object({"local": InstantProvider()}))


def prepare(container: Container, users: int = 1) -> list[User]:
    """Seed the catalog and create `users` users with plenty of credits."""
    container.seed_catalog()
    with container.config.welcome_credits.override(CREDITS):
        return [
            container.ensure_user(CreateUser(email=f"bench-{i}@bench.example"))
            for i in range(users)
        ]


def request(user_id: int, batch: int) -> SubmitRequest:
    """A request for `batch` 64×64 images of the "neon-city" template (local provider)."""
    return SubmitRequest(
        user_id=user_id, template="neon-city", input_metadata={"batch_size": batch}, params=SMALL
    )


def _submit_loop(
    settings: Settings, user_ids: list[int], requests: int, batch: int, pipe: Connection
) -> None:
    """The submitting process: build a container, wait for "go", submit, report the times."""
    container = build_container(settings)
    try:
        commands = [request(user_id, batch) for user_id in user_ids]
        container.estimate_request(commands[0])  # warm the pool and the statement caches
        pipe.send("ready")
        pipe.recv()
        first = time.time()
        for i in range(requests):
            container.submit_request(commands[i % len(commands)])
        pipe.send((first, time.time()))
    finally:
        container.shutdown_resources()


class Submitter:
    """Requests submitted from a process of their own, as an API server would."""

    def __init__(self, settings: Settings, user_ids: list[int], requests: int, batch: int):
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_submit_loop,
            args=(settings, user_ids, requests, batch, child),
            name="genmedia-bench-submitter",
        )
        self.process.start()
        try:
            ready = self.pipe.poll(120) and self.pipe.recv() == "ready"
        except EOFError:
            ready = False
        if not ready:
            self.process.kill()
            raise RuntimeError("the submitting process did not start")

    def go(self) -> None:
        """Start submitting."""
        self.pipe.send("go")

    def times(self, timeout: float) -> tuple[float, float]:
        """When the first submit started and the last one returned (time.time())."""
        if not self.pipe.poll(timeout):
            self.process.kill()
            raise RuntimeError("the submitting process did not finish")
        first, last = self.pipe.recv()
        self.process.join()
        return float(first), float(last)


def status_counts(container: Container, after_job: int = 0) -> dict[str, int]:
    """Jobs with an id above `after_job`, counted by status."""
    jobs = generation_jobs
    query = (
        sa.select(jobs.c.status, sa.func.count())
        .where(jobs.c.id > after_job)
        .group_by(jobs.c.status)
    )
    with container.engine().connect() as connection:
        return {str(getattr(s, "value", s)): n for s, n in connection.execute(query)}


def finished(counts: dict[str, int]) -> int:
    """How many of the counted jobs reached a final status."""
    return sum(counts.get(status, 0) for status in FINISHED)


def wait_finished(
    container: Container, total: int, deadline: float, after_job: int = 0, every: float = 0.2
) -> dict[str, int]:
    """Poll every `every` seconds until `total` jobs above `after_job` finished or
    time.monotonic() passes `deadline`; the last counts."""
    while True:
        counts = status_counts(container, after_job)
        if finished(counts) >= total or time.monotonic() > deadline:
            return counts
        time.sleep(every)


def last_job_id(container: Container) -> int:
    """The highest job id so far (0 if none)."""
    with container.engine().connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(generation_jobs.c.id))).scalar() or 0)


def cancel_unfinished(container: Container, timeout: float = 60) -> None:
    """Cancel every pending job, then wait for the running ones to end (workers go idle)."""
    jobs = generation_jobs
    with container.engine().begin() as connection:
        connection.execute(
            sa.update(jobs).where(jobs.c.status == Status.PENDING).values(status=Status.CANCELLED)
        )
    deadline = time.monotonic() + timeout
    while status_counts(container).get(Status.PROCESSING, 0) and time.monotonic() < deadline:
        time.sleep(0.2)


class LogTally(logging.Handler):
    """Counts the warnings and errors logged during a run instead of printing each one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = re.sub(r"\d+", "N", record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            message += f" [{record.exc_info[0].__name__}]"
        self.counts[f"{record.name}: {message}"] += 1

    def summary(self) -> str:
        """The counted messages, most frequent first."""
        return "; ".join(f"{n}× {m}" for m, n in self.counts.most_common(5)) or "none"


@contextmanager
def tallied_logs(*names: str) -> Iterator[LogTally]:
    """Route these loggers' warnings and errors to a tally for the duration of the block."""
    tally = LogTally()
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(tally)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        yield tally
    finally:
        for lg, (propagate, level) in zip(loggers, saved, strict=True):
            lg.removeHandler(tally)
            lg.propagate = propagate
            lg.setLevel(level)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Stop a worker process as an operator would: SIGTERM, then SIGKILL after `timeout`."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
