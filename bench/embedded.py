"""The embedded default end to end: SQLite, local files, in-process broker, local provider."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.scratch import scratch_dir
from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.sql import migrate
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.application.ports import ProviderCall
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.follow import follow
from genmedia.entrypoints.settings import Settings
from genmedia.entrypoints.worker import WorkerRuntime

JOBS = 200
BATCH = 8


def _render_ms(size: int, runs: int = 30) -> float:
    provider = LocalProvider(task_dir=scratch_dir("genmedia-bench-render-"))
    times = []
    for seed in range(runs):
        call = ProviderCall(
            job_id=seed, model="local-t2i", endpoint="sync", prompt="a fox in snow",
            negative_prompt=None, params={"width": size, "height": size}, seed=seed,
        )  # fmt: skip
        started = time.perf_counter()
        provider.submit(call)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _pipeline_jobs_per_s(home: Path) -> float:
    container = build_container(Settings(home=home, worker_threads=4))
    try:
        migrate.upgrade(container.config.database_url())
        container.seed_catalog()
        with container.config.welcome_credits.override(1_000_000):  # 200 jobs at any price
            user = container.ensure_user(CreateUser(email="bench@example.com"))
        runtime = WorkerRuntime(container)
        started = time.perf_counter()
        cmd = SubmitRequest(
            user_id=user.id or 0,
            template="neon-city",
            input_metadata={"batch_size": BATCH},
            params={"width": 64, "height": 64},
        )
        ids = [container.submit_request(cmd).id or 0 for _ in range(JOBS // BATCH)]
        runtime.start()
        runtime.kick()
        try:
            follow(container, ids, show=False)
        finally:
            runtime.stop()
        return round(JOBS / (time.perf_counter() - started), 1)
    finally:
        container.shutdown_resources()


def run() -> dict[str, float]:
    """Local render times and embedded end-to-end throughput."""
    jobs_per_s = _pipeline_jobs_per_s(scratch_dir("genmedia-bench-embedded-"))
    return {
        "embedded.local_render_512_ms": _render_ms(512),
        "embedded.local_render_64_ms": _render_ms(64),
        "embedded.jobs_per_s": jobs_per_s,
    }
