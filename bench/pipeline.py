"""The production pipeline end to end (PostgreSQL, Redis/Dramatiq, disk or S3) vs raw Dramatiq.

Every figure is measured in this run, on this machine, against 127.0.0.1 only:

pipeline.jobs_per_s
    Jobs per second end to end. One worker process (this one: `WorkerRuntime` with 8 job
    threads and the dispatcher role) runs on PostgreSQL, Redis and local-disk storage with
    an instant provider (it returns a pre-encoded 64×64 PNG at once). Meanwhile a separate
    process, standing in for the API server, submits `JOBS` jobs as fast as it can, as
    requests of 8 images from one user with plenty of credits. "End to end" is from the
    moment the first submit call starts to the `completed_at` of the last job, so every
    step counts: submit (request, jobs and credit holds committed) → dispatch (picked,
    marked, sent to Redis) → worker (claim, provider, image check and blurhash) → storage
    → media row → capture of the held credits. Only completed jobs count. If the jobs do
    not all finish within `THROUGHPUT_BOX` seconds, the figure covers the jobs completed
    by then (printed) and the rest are cancelled. The median of `ROUNDS` runs, each on a
    fresh stack (see pipeline.ratio).
pipeline.raw_dramatiq_per_s
    Raw Dramatiq: `RAW_MESSAGES` messages for a no-op actor are enqueued on a RedisBroker
    (own namespace, same Redis), then one `dramatiq.Worker` with 8 threads in this process
    drains them; messages per second from the worker's start to the last message run. The
    median of `ROUNDS` drains.
pipeline.ratio
    jobs_per_s ÷ raw_dramatiq_per_s. The two are measured in turn: each of the `ROUNDS`
    rounds is a raw drain, then an end-to-end run on a stack of its own (no genmedia
    thread runs during a raw drain). The raw drain keeps one core busy and varies little
    from minute to minute (within 5% on 2026-12-06); the pipeline keeps both cores busy
    (worker, submitter, PostgreSQL) and the same code ran from 470 to 760 jobs/s within an
    hour, in spells of minutes. The medians of five rounds, spread over several minutes,
    weigh such a spell as one or two rounds. Every round's figures are printed.
pipeline.storage_probe_us
    Before each local run: the median CPU time of one 3 KB write to local storage in the
    stack's home (400 writes); the figure is the median over the rounds. Not a target: it
    shows what the filesystem costs at the time. On this machine that swings tenfold with
    file deletions of the last minute (see bench.scratch), such as a test suite's clean-up
    right before `make bench`, so each round first waits (up to `SETTLE_LIMIT` seconds) for
    the probe to fall to `bench.scratch.SETTLED_US`; the wait is printed.
pipeline.s3_jobs_per_s
    As jobs_per_s with storage on moto's S3 server instead of local disk. The server runs
    in a process of its own (tests.integration.s3_server), as a remote S3 would not share
    the worker's interpreter.
dispatch.p95_ms
    With the local stack idle, `DISPATCH_SAMPLES` single-job requests are submitted one
    at a time (after a random pause of up to two dispatch intervals, so the samples do
    not keep step with the dispatcher's poll). Per job: the job's `started_at` (set by the
    worker's claim from the machine clock) minus time.time() right after `submit_request`
    returned, i.e. after the commit. Each job finishes before the next is submitted.
claim.ratio_1m_vs_1k
    See bench.claim: median dispatch pick + claim with 1,000,000 vs 1,000 pending jobs.
worker.rss_ratio_10k_vs_1k
    A worker process of its own (bench.worker_process, the same settings and provider)
    runs 10,000 jobs submitted before it starts, the last 9,000 held back (due in a day)
    until it has finished the first 1,000; its VmRSS when idle after those 1,000 and
    after all 10,000. `worker.rss_jobs` says how many jobs the second reading covers: fewer
    than 10,000 only if they did not finish in what was left of `SUITE_BUDGET` seconds
    (at least `RSS_MIN`).

Scratch directories (homes, local storage) and databases are removed when the run ends,
not when each phase does: deleting thousands of files right before a phase would slow its
storage writes on this machine (see bench.scratch).

Operator settings (bench.stack.OPERATOR) are printed with the figures. Time boxes scale with
GENMEDIA_BENCH_PATIENCE (default 1; e.g. 10 lets slow pipelines finish every job).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import attrs
import dramatiq
import sqlalchemy as sa
from dramatiq.brokers.redis import RedisBroker

from bench import claim
from bench.scratch import settle
from bench.stack import (
    OPERATOR,
    REDIS_URL,
    Submitter,
    bench_settings,
    cancel_unfinished,
    drop_namespace,
    finished,
    last_job_id,
    prepare,
    request,
    settings_env,
    status_counts,
    stop_process,
    tallied_logs,
    use_instant_provider,
    wait_finished,
)
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.domain.status import Status
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings
from genmedia.entrypoints.worker import WorkerRuntime

REPO = Path(__file__).resolve().parents[1]
PATIENCE = float(os.environ.get("GENMEDIA_BENCH_PATIENCE", "1"))

BATCH = 8
JOBS = 6_000  # at 2,000 a run lasted 3 s, a third of it filling and draining the pipeline
THROUGHPUT_BOX = 90.0 * PATIENCE
RAW_MESSAGES = 20_000
ROUNDS = 5
DISPATCH_SAMPLES = 200
DISPATCH_BOX = 60.0 * PATIENCE
RSS_FIRST, RSS_TOTAL = 1_000, 10_000
SUITE_BUDGET = 420.0 * PATIENCE  # the memory phase gets what is left of it, at least RSS_MIN
RSS_MIN = 90.0 * PATIENCE
LOGGERS = ("genmedia", "dramatiq")
SETTLE_LIMIT = 150.0 * PATIENCE


# -- raw Dramatiq ----------------------------------------------------------------------------


def raw_dramatiq_per_s(messages: int = RAW_MESSAGES) -> float:
    """Drain rate of a no-op actor: 1 worker, 8 threads, this process, the benchmark Redis."""
    namespace = f"genmedia-bench-raw-{secrets.token_hex(4)}"
    broker = RedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    counter = itertools.count(1)
    done = threading.Event()

    def noop(index: int) -> None:
        if next(counter) >= messages:
            done.set()

    actor: Any = dramatiq.Actor(
        noop,
        broker=broker,
        actor_name="genmedia_bench_noop",
        queue_name="genmedia-bench-noop",
        priority=0,
        options={"max_retries": 0},
    )
    try:
        started = time.perf_counter()
        for i in range(messages):
            actor.send(i)
        enqueued = time.perf_counter()
        worker = dramatiq.Worker(broker, worker_threads=8, worker_timeout=100)
        began = time.monotonic()
        worker.start()
        if not done.wait(120 * PATIENCE):
            raise RuntimeError("raw Dramatiq did not drain its queue")
        drained = time.perf_counter()
        worker.stop()
    finally:
        broker.close()
        drop_namespace(REDIS_URL, namespace)
    rate = messages / (drained - began)
    print(
        f"raw dramatiq: enqueued {messages:,} at {messages / (enqueued - started):,.0f} msg/s,"
        f" drained at {rate:,.0f} msg/s (1 process × 8 threads)"
    )
    return rate


# -- the pipeline ----------------------------------------------------------------------------


@attrs.frozen
class Throughput:
    """One end-to-end run."""

    jobs_per_s: float
    completed: int
    failed: int
    seconds: float
    submit_seconds: float
    boxed: bool


@contextmanager
def worker_stack(settings: Settings) -> Iterator[tuple[Container, User]]:
    """A container on `settings` with the instant provider, its user, and a running worker
    runtime (dispatcher role on) in this process, warmed up with one request."""
    container = build_container(settings)
    use_instant_provider(container)
    try:
        [user] = prepare(container)
        runtime = WorkerRuntime(container)
        runtime.start()
        try:
            before = last_job_id(container)
            container.submit_request(request(user.id or 0, BATCH))
            wait_finished(container, BATCH, time.monotonic() + 60, after_job=before)
            yield container, user
        finally:
            runtime.stop()
    finally:
        container.shutdown_resources()


def _end_to_end(container: Container, settings: Settings, user: User) -> Throughput:
    before = last_job_id(container)
    submitter = Submitter(settings, [user.id or 0], JOBS // BATCH, BATCH)
    submitter.go()
    # The end is the last completed_at, whenever the poll notices it: polling seldom keeps
    # this process (the worker's) and PostgreSQL free for the work measured.
    counts = wait_finished(
        container, JOBS, time.monotonic() + THROUGHPUT_BOX, after_job=before, every=1.0
    )
    first, last = submitter.times(timeout=300)
    jobs = generation_jobs
    query = sa.select(sa.func.count(), sa.func.max(jobs.c.completed_at)).where(
        jobs.c.id > before, jobs.c.status == Status.COMPLETED
    )
    with container.engine().connect() as connection:
        completed, end = connection.execute(query).one()
    boxed = finished(counts) < JOBS
    if boxed:
        cancel_unfinished(container)
    seconds = end.timestamp() - first if end else float("inf")
    return Throughput(
        jobs_per_s=completed / seconds,
        completed=completed,
        failed=counts.get(Status.FAILED, 0),
        seconds=seconds,
        submit_seconds=last - first,
        boxed=boxed,
    )


def _report(label: str, run: Throughput, logs: str) -> None:
    note = f" (time box of {THROUGHPUT_BOX:.0f} s reached: the rest were cancelled)"
    print(
        f"{label}: {run.completed:,} of {JOBS:,} jobs completed, {run.failed:,} failed, in"
        f" {run.seconds:.1f} s = {run.jobs_per_s:,.1f} jobs/s; submitting took"
        f" {run.submit_seconds:.1f} s{note if run.boxed else ''}"
    )
    print(f"{label}: worker warnings and errors: {logs}")


def _dispatch_latencies(container: Container, user: User) -> list[float]:
    """Commit-to-claim times in ms of single-job requests submitted one at a time."""
    interval = float(container.config.dispatch_interval())
    command = request(user.id or 0, 1)
    rng = random.Random(1)
    jobs = generation_jobs
    latencies: list[float] = []
    deadline = time.monotonic() + DISPATCH_BOX
    with container.engine().connect() as connection:
        while len(latencies) < DISPATCH_SAMPLES and time.monotonic() < deadline:
            time.sleep(rng.uniform(0, 2 * interval))
            job_id = container.submit_request(command).jobs[0].id
            committed = time.time()
            query = sa.select(jobs.c.status, jobs.c.started_at).where(jobs.c.id == job_id)
            while True:
                row = connection.execute(query).one()
                connection.rollback()
                if Status(row.status).is_terminal or time.monotonic() > deadline + 30:
                    break
                time.sleep(0.005)
            if row.started_at is not None:
                latencies.append((row.started_at.timestamp() - committed) * 1000)
    return latencies


def _local() -> tuple[list[float], list[Throughput], list[float], float]:
    """`ROUNDS` rounds, each a raw Dramatiq drain, then an end-to-end run on a fresh local
    stack once storage writes settled: the raw rates, the runs, the last stack's dispatch
    latencies and the median of the rounds' storage probes."""
    raws: list[float] = []
    runs: list[Throughput] = []
    latencies: list[float] = []
    probes: list[float] = []
    for number in range(1, ROUNDS + 1):
        raws.append(raw_dramatiq_per_s())
        with (
            tallied_logs(*LOGGERS) as tally,
            bench_settings("local") as settings,
            worker_stack(settings) as (container, user),
        ):
            probe, waited = settle(settings.home, SETTLE_LIMIT)
            probes.append(probe)
            print(
                f"storage write probe: {probe:.0f} µs of CPU per 3 KB object (median),"
                f" after waiting {waited:.0f} s for the filesystem to settle"
            )
            run = _end_to_end(container, settings, user)
            _report(f"pipeline (local disk), round {number}", run, tally.summary())
            runs.append(run)
            if number == ROUNDS:
                tally.counts.clear()
                latencies = _dispatch_latencies(container, user)
                print(f"dispatch: worker warnings and errors: {tally.summary()}")
    return raws, runs, latencies, statistics.median(probes)


def _serve_s3(pipe: Connection) -> None:
    from tests.integration.s3_server import moto_s3_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    with moto_s3_server() as endpoint:
        pipe.send(endpoint)
        pipe.recv()


@contextmanager
def s3_server() -> Iterator[str]:
    """Moto's S3 server in a process of its own; its endpoint URL."""
    context = multiprocessing.get_context("spawn")
    pipe, child = context.Pipe()
    process = context.Process(target=_serve_s3, args=(child,), name="genmedia-bench-s3")
    process.start()
    try:
        if not pipe.poll(60):
            raise RuntimeError("moto's S3 server did not start")
        yield str(pipe.recv())
    finally:
        if process.is_alive():
            pipe.send("stop")
            process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


def _s3() -> Throughput:
    with s3_server() as endpoint:
        s3 = {
            "s3_bucket": f"genmedia-bench-{secrets.token_hex(4)}",
            "s3_endpoint_url": endpoint,
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
            "s3_create_bucket": True,
        }
        with (
            tallied_logs(*LOGGERS) as tally,
            bench_settings("s3", **s3) as settings,
            worker_stack(settings) as (container, user),
        ):
            run = _end_to_end(container, settings, user)
            _report("pipeline (moto S3)", run, tally.summary())
    return run


# -- worker memory ---------------------------------------------------------------------------


def vm_rss_kb(pid: int) -> int:
    """A process's resident set size in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _submit_jobs(container: Container, user: User, jobs: int) -> None:
    command = request(user.id or 0, BATCH)
    for _ in range(jobs // BATCH):
        container.submit_request(command)


def _hold_back(container: Container, after_job: int, until: datetime | None) -> None:
    """Make the jobs above `after_job` due only at `until` (None: now)."""
    jobs = generation_jobs
    with container.engine().begin() as connection:
        connection.execute(sa.update(jobs).where(jobs.c.id > after_job).values(run_after=until))


def _run_until(
    container: Container, process: subprocess.Popen[bytes], total: int, deadline: float
) -> int:
    """Wait until `total` jobs finished or time.monotonic() passes `deadline`; how many.

    Prints the worker's RSS each time another thousand jobs finished."""
    mark = finished(status_counts(container)) // 1000
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the worker process exited with {process.returncode}")
        done = finished(status_counts(container))
        if done // 1000 > mark:
            mark = done // 1000
            print(f"  worker RSS after {done:,} jobs: {vm_rss_kb(process.pid) / 1024:.1f} MiB")
        if done >= total or time.monotonic() > deadline:
            return done
        time.sleep(0.5)


def _rss(deadline: float) -> tuple[float, int]:
    """RSS after RSS_TOTAL jobs ÷ after RSS_FIRST, and how many jobs the second covers;
    the worker gets until time.monotonic() reaches `deadline`.

    All jobs are submitted before the worker starts (so that submitting does not slow it
    down); those past the first RSS_FIRST are held back (due in a day) until the worker
    has finished the first ones and its memory was read while idle.
    """
    with bench_settings("rss") as settings:
        container = build_container(settings)
        log = (settings.home / "worker.log").open("wb")
        try:
            [user] = prepare(container)
            _submit_jobs(container, user, RSS_FIRST)
            boundary = last_job_id(container)
            _submit_jobs(container, user, RSS_TOTAL - RSS_FIRST)
            _hold_back(container, boundary, datetime.now(UTC) + timedelta(days=1))
            env = {**os.environ, **settings_env(settings)}
            worker = subprocess.Popen(
                [sys.executable, "-m", "bench.worker_process"],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                half = time.monotonic() + (deadline - time.monotonic()) / 2
                first_done = _run_until(container, worker, RSS_FIRST, half)
                time.sleep(1.0)
                first = vm_rss_kb(worker.pid)
                _hold_back(container, boundary, None)
                done = _run_until(container, worker, RSS_TOTAL, deadline)
                time.sleep(1.0)
                last = vm_rss_kb(worker.pid)
            finally:
                stop_process(worker)
            counts = status_counts(container)
        finally:
            log.close()
            container.shutdown_resources()
        errors = sum(
            1
            for line in (settings.home / "worker.log").read_text(errors="replace").splitlines()
            if line.startswith(("ERROR", "WARNING"))
        )
    print(
        f"worker RSS: {first / 1024:.1f} MiB after {first_done:,} jobs, {last / 1024:.1f} MiB"
        f" after {done:,} jobs ({counts}); {errors} warnings/errors in its log"
    )
    if done < RSS_TOTAL:
        print(
            f"worker RSS: only {done:,} of {RSS_TOTAL:,} jobs finished within the suite's"
            " time budget; worker.rss_ratio_10k_vs_1k covers those"
        )
    return last / first, done


# -- the suite -------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run() -> dict[str, float]:
    """Every pipeline figure from this run; see the module docstring."""
    began = time.monotonic()

    def took(phase: str) -> None:
        print(f"  [{phase} done at {time.monotonic() - began:.0f} s]", flush=True)

    print(f"operator settings: {OPERATOR}; jobs {JOBS:,} in requests of {BATCH}, one user")
    raws, runs, latencies, probe = _local()
    raw = statistics.median(raws)
    jobs_per_s = statistics.median(run.jobs_per_s for run in runs)
    print(
        f"rounds: raw dramatiq {', '.join(f'{r:,.0f}' for r in raws)} msg/s, pipeline"
        f" {', '.join(f'{r.jobs_per_s:,.1f}' for r in runs)} jobs/s; medians {raw:,.1f}"
        f" and {jobs_per_s:,.1f}, ratio {jobs_per_s / raw:.4f}"
    )
    print(
        f"dispatch: {len(latencies)} samples, median {statistics.median(latencies):.1f} ms,"
        f" p95 {_p95(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )
    took("raw dramatiq, local pipeline and dispatch")
    s3 = _s3()
    took("S3 pipeline")
    claims = claim.run()
    took("claim")
    rss_ratio, rss_jobs = _rss(max(began + SUITE_BUDGET, time.monotonic() + RSS_MIN))
    took("worker memory")
    return {
        "pipeline.jobs_per_s": round(jobs_per_s, 1),
        "pipeline.raw_dramatiq_per_s": round(raw, 1),
        "pipeline.ratio": round(jobs_per_s / raw, 4),
        "pipeline.s3_jobs_per_s": round(s3.jobs_per_s, 1),
        "pipeline.storage_probe_us": round(probe, 1),
        "dispatch.p95_ms": round(_p95(latencies), 1),
        **claims,
        "worker.rss_ratio_10k_vs_1k": round(rss_ratio, 3),
        "worker.rss_jobs": float(rss_jobs),
    }
