"""Thousands of provider tasks in flight from one worker (issue #18): the `async.*` keys.

A fake BFL API on loopback (`bench.slow_provider`, its own process) takes 30 s per task
and answers polls with BFL's `progress`. 4,000 jobs are submitted, then one worker process
with 8 threads runs them on PostgreSQL and Redis, webhooks off, so everything rests on
polling: each job submits its task, waits on it through delayed poll messages (no thread
waits), downloads the result when the task is ready and completes. The worker polls a task
again when BFL's `progress` says it will be done (`domain.scheduling.poll_delay`), so a
task is polled about twice, not thirty times.

- `async.max_in_flight`: the most tasks in flight at once, counted by the fake (created,
  not yet answered Ready);
- `async.poll_lag_p95_s`: p95 over jobs of the time from the moment the task became ready
  to the job's `completed_at` (its output stored and charged);
- `async.worker_rss_mib`: the worker's peak resident set (VmHWM);
- `async.completed_ratio`: completed ÷ submitted, within the time box;
- `async.polls_per_task`, `async.seconds`: the fake's polls per task, and the run's length
  from the worker's start to the last completion.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import slow_provider
from bench.stack import (
    bench_settings,
    finished,
    prepare,
    settings_env,
    status_counts,
    stop_process,
)
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.catalog import Feature
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.status import Status
from genmedia.entrypoints.container import Container, build_container

TASKS = 4_000
TASK_SECONDS = 30.0
THREADS = 8
BATCH = 8
TIME_BOX = 300.0
# Run messages out at once. Jobs waiting on their tasks do not count (they hold no worker),
# so this only bounds the run messages ahead of the polls that come due in the broker's
# FIFO queue: 6 per thread keeps the threads fed, where the pipeline benchmark's 128 (sized
# for instant jobs) made a due poll wait behind up to 128 submits.
MAX_IN_FLIGHT = 6 * THREADS
REPO = Path(__file__).resolve().parent.parent


def _feature(container: Container) -> int:
    """A feature on BFL's flux-dev, as an operator would add it."""
    with container.uow() as uow:
        model = uow.provider_models.add(
            ProviderModel(provider="bfl", model_slug="flux-dev", label="FLUX dev", cost_per_use=1)
        )
        feature = uow.features.add(Feature(name="Async bench", provider_model_id=model.id))
        uow.commit()
    return feature.id or 0


def _submit(container: Container, user_id: int, feature_id: int) -> None:
    command = SubmitRequest(
        user_id=user_id,
        feature_id=feature_id,
        user_prompt="a lighthouse at dusk",
        input_metadata={"batch_size": BATCH},
    )
    for _ in range(TASKS // BATCH):
        container.submit_request(command)


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def _wait(container: Container, worker: subprocess.Popen[bytes], deadline: float) -> int:
    """Wait until every job finished or the time box is up; how many finished."""
    while True:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}")
        done = finished(status_counts(container))
        if done >= TASKS or time.monotonic() > deadline:
            return done
        time.sleep(1.0)


def _jobs(container: Container) -> list[Any]:
    jobs = generation_jobs
    query = sa.select(jobs.c.provider_task_id, jobs.c.status, jobs.c.completed_at)
    with container.engine().connect() as connection:
        return list(connection.execute(query).all())


def _measure(base_url: str) -> dict[str, float]:
    overrides: dict[str, Any] = {
        "worker_threads": THREADS,
        "max_in_flight": MAX_IN_FLIGHT,
        "user_concurrency": MAX_IN_FLIGHT,
        "bfl_api_key": slow_provider.API_KEY,
        "bfl_base_url": base_url,
        "bfl_poll_after": 1.0,
        "fetch_allow_private": True,
        "job_timeout_seconds": 900,
    }
    with bench_settings("async", **overrides) as settings:
        container = build_container(settings)
        log = (settings.home / "worker.log").open("wb")
        try:
            [user] = prepare(container)
            _submit(container, user.id or 0, _feature(container))
            env = {**os.environ, **settings_env(settings), "PYTHONPATH": str(REPO)}
            command = [sys.executable, "-m", "genmedia.entrypoints.cli", "worker"]
            started = time.time()
            worker = subprocess.Popen(
                [*command, "--threads", str(THREADS)],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                done = _wait(container, worker, time.monotonic() + TIME_BOX)
                peak = _peak_rss_mib(worker.pid)
            finally:
                stop_process(worker)
            jobs = _jobs(container)
            print(f"async: {done:,} of {TASKS:,} jobs finished: {status_counts(container)}")
        finally:
            log.close()
            container.shutdown_resources()
        stats = httpx.get(f"{base_url}/stats", timeout=30).json()
    return _figures(jobs, stats, peak, started)


def _figures(
    jobs: list[Any], stats: dict[str, Any], peak: float, started: float
) -> dict[str, float]:
    ready_at: dict[str, float] = stats["ready_at"]
    completed = [j for j in jobs if j.status is Status.COMPLETED]
    lags = [j.completed_at.timestamp() - ready_at[j.provider_task_id] for j in completed]
    last = max((j.completed_at.timestamp() for j in completed), default=time.time())
    counts = stats["counts"]
    p95 = statistics.quantiles(lags, n=20, method="inclusive")[18] if len(lags) > 1 else 0.0
    print(f"async: fake provider requests {counts}; lag max {max(lags, default=0):.2f} s")
    made = sorted(at - TASK_SECONDS - started for at in ready_at.values())
    ends = sorted(j.completed_at.timestamp() - started for j in completed)
    print(
        f"async: tasks created from {made[0]:.1f} s to {made[-1]:.1f} s after the worker started;"
    )
    print(f"async: jobs completed from {ends[0]:.1f} s to {ends[-1]:.1f} s")
    return {
        "async.max_in_flight": float(stats["max_in_flight"]),
        "async.poll_lag_p95_s": round(p95, 3),
        "async.worker_rss_mib": round(peak, 1),
        "async.completed_ratio": round(len(completed) / TASKS, 4),
        "async.polls_per_task": round(counts["poll"] / max(counts["submit"], 1), 2),
        "async.seconds": round(last - started, 1),
    }


def run() -> dict[str, float]:
    """The async.* figures, with the fake provider in a process of its own."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=slow_provider.serve, args=(TASK_SECONDS, child), daemon=True
    )
    server.start()
    try:
        return _measure(parent.recv())
    finally:
        parent.send("stop")
        server.join(10)


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key} = {value}")
