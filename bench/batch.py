"""Submitting a batch of 10 reference images × 4 (issue #19): the use case's time, on the
embedded default (SQLite) and on PostgreSQL, and its ratio to submitting the same 40 jobs
as 10 requests one after the other in the same process.

Only the submit is timed (validation, pricing, the batch, 10 requests, 40 jobs and their
holds, one wallet reservation, the commit); no job runs. Each round submits both ways, in
turn, so that both meet the same database size.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from bench.pg import scratch_database
from bench.scratch import scratch_dir
from genmedia.adapters.sql import migrate
from genmedia.application.generation.commands import SubmitBatch, SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.application.media.uploads import UploadMedia
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings

REFERENCES = 10
PER_REFERENCE = 4
ROUNDS = 15
OPTIONS = {"hairColor": "red", "backgrounds": ["beach", "city"]}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _references(container: Container, user_id: int) -> list[int]:
    data = _png()
    return [
        container.upload_media(
            UploadMedia(user_id=user_id, filename=f"ref{i}.png", content=[data])
        ).id
        or 0
        for i in range(REFERENCES)
    ]


def _timed_ms(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def _measure(container: Container) -> tuple[float, float]:
    """The median ms of submitting the batch, and of submitting its requests one by one."""
    migrate.upgrade(container.config.database_url())
    container.seed_catalog()
    with container.config.welcome_credits.override(10**9):
        user = container.ensure_user(CreateUser(email="bench-batch@example.com"))
    refs = _references(container, user.id or 0)
    batch = SubmitBatch(
        user_id=user.id or 0, template="headshot-session", reference_media_ids=refs,
        images_per_reference=PER_REFERENCE, selected_options=OPTIONS,
    )  # fmt: skip
    requests = [
        SubmitRequest(
            user_id=user.id or 0,
            template="headshot-session",
            media_ids=[ref],
            selected_options=OPTIONS,
            input_metadata={"batch_size": PER_REFERENCE},
        )
        for ref in refs
    ]
    container.submit_batch(batch)  # warm up statement caches and connections
    batches, singles = [], []
    for _ in range(ROUNDS):
        batches.append(_timed_ms(lambda: container.submit_batch(batch)))
        singles.append(_timed_ms(lambda: [container.submit_request(r) for r in requests]))
    return statistics.median(batches), statistics.median(singles)


def _on(home: Path, database_url: str | None = None) -> tuple[float, float]:
    settings = Settings(home=home, database_url=database_url) if database_url else None
    container = build_container(settings or Settings(home=home))
    try:
        return _measure(container)
    finally:
        container.shutdown_resources()


def run() -> dict[str, float]:
    """batch.submit_ms (SQLite), batch.submit_pg_ms, and each as a ratio to 10 requests."""
    lite, lite_singles = _on(scratch_dir("genmedia-bench-batch-"))
    with scratch_database() as url:
        pg, pg_singles = _on(scratch_dir("genmedia-bench-batch-pg-"), url)
    return {
        "batch.submit_ms": round(lite, 2),
        "batch.submit_vs_10_requests": round(lite / lite_singles, 3),
        "batch.submit_pg_ms": round(pg, 2),
        "batch.submit_pg_vs_10_requests": round(pg / pg_singles, 3),
    }
