"""Following requests until their jobs finish, with a progress bar."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from genmedia.domain.request import GenerationRequest
from genmedia.entrypoints.console import ProgressBar
from genmedia.entrypoints.container import Container

POLL_SECONDS = 0.1


def follow(
    container: Container, request_ids: Sequence[int], *, show: bool = True, timeout: float = 600
) -> list[GenerationRequest]:
    """Wait until every job of these requests is finished; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    bar: ProgressBar | None = None
    try:
        while True:
            requests = [container.request_details(rid)[0] for rid in request_ids]
            jobs = [j for r in requests for j in r.jobs]
            done = sum(j.status.is_terminal for j in jobs)
            if show:
                bar = bar or ProgressBar(len(jobs))
                counts = Counter(j.status.value for j in jobs)
                bar.update(done, " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
            if done == len(jobs):
                return requests
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs still running after {timeout:.0f}s")
            time.sleep(POLL_SECONDS)
    finally:
        if bar is not None:
            bar.close()
