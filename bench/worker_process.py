"""One genmedia worker process with the instant provider: `python -m bench.worker_process`.

It reads its settings from the GENMEDIA_* environment like `genmedia worker`, and runs
until SIGTERM. The pipeline benchmark measures its memory from outside.
"""

from __future__ import annotations

import logging

from bench.stack import use_instant_provider
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.worker import WorkerRuntime


def main() -> None:
    """Run the worker runtime with the dispatcher role until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    container = build_container()
    use_instant_provider(container)
    try:
        WorkerRuntime(container).run_forever()
    finally:
        container.shutdown_resources()


if __name__ == "__main__":
    main()
