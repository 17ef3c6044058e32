"""A genmedia worker or dispatcher whose every message is sent twice, as an at-least-once
broker may deliver it: `python -m tests.e2e.doubled worker|dispatcher` on a stack's
environment (tests only)."""

from __future__ import annotations

import logging
import sys

from dependency_injector import providers

from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.worker import WorkerRuntime, run_dispatcher
from tests.fakes import DoublingQueue


def main(role: str) -> None:
    """Run the role until SIGTERM, its job queue doubling every message."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    container = build_container()
    container.job_queue.override(providers.Object(DoublingQueue(container.job_queue())))
    try:
        if role == "worker":
            WorkerRuntime(container).run_forever()
        else:
            run_dispatcher(container)
    finally:
        container.shutdown_resources()


if __name__ == "__main__":
    main(sys.argv[1])
