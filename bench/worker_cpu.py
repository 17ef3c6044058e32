"""The worker's CPU time per job, alone: `python -m bench.worker_cpu [JOBS]`.

A diagnostic, not part of `make bench`. JOBS jobs of the instant provider are queued on a
fresh PostgreSQL stack first; then one in-process WorkerRuntime runs them, and the
process's CPU time over that stretch, divided by JOBS, is printed. To compare two versions
of the code, run this in a clone of each, in alternating order (a run is slower when it
follows another's file deletions), and compare the medians.
"""

from __future__ import annotations

import sys
import time

from bench.stack import (
    bench_settings,
    last_job_id,
    prepare,
    request,
    use_instant_provider,
    wait_finished,
)
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.worker import WorkerRuntime

BATCH = 8


def cpu_ms_per_job(jobs: int) -> tuple[float, float]:
    """The worker process's CPU milliseconds per job, and its jobs per second."""
    with bench_settings("worker-cpu") as settings:
        container = build_container(settings)
        use_instant_provider(container)
        try:
            [user] = prepare(container)
            before = last_job_id(container)
            for _ in range(jobs // BATCH):
                container.submit_request(request(user.id or 0, BATCH))
            runtime = WorkerRuntime(container)
            cpu, wall = time.process_time(), time.perf_counter()
            runtime.start()
            try:
                wait_finished(container, jobs, time.monotonic() + 600, after_job=before, every=0.2)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            finally:
                runtime.stop()
        finally:
            container.shutdown_resources()
    return cpu / jobs * 1000, jobs / wall


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    ms, rate = cpu_ms_per_job(count - count % BATCH)
    print(f"worker alone: {ms:.3f} ms of CPU per job, {rate:,.0f} jobs/s")
