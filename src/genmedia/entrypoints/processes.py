"""Running several worker processes under one parent that restarts any that die."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from multiprocessing.process import BaseProcess

import attrs

from genmedia.entrypoints.log_setup import configure_logging
from genmedia.entrypoints.settings import Settings

log = logging.getLogger(__name__)
RESTART_PAUSE_S = 1.0


def _child(settings: Settings) -> None:
    """One worker process (its metrics, if any, on its own port)."""
    from genmedia.entrypoints.container import build_container
    from genmedia.entrypoints.worker import WorkerRuntime

    configure_logging(logging.INFO, "%(process)d %(levelname)s %(name)s: %(message)s")
    container = build_container(settings)
    try:
        WorkerRuntime(container).run_forever()
    finally:
        container.shutdown_resources()


def run_worker_processes(settings: Settings, processes: int) -> int:
    """Start `processes` workers, restart any that die, stop them all on SIGINT or SIGTERM."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(index: int) -> BaseProcess:
        port = settings.metrics_port + index if settings.metrics_port else 0
        mine = attrs.evolve(settings, metrics_port=port)
        child = context.Process(target=_child, args=(mine,), name=f"genmedia-worker-{index}")
        child.start()
        return child

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    children = [start(i) for i in range(processes)]
    while not stopping:
        time.sleep(0.2)
        for i, child in enumerate(children):
            if not child.is_alive() and not stopping:
                log.warning("worker %s exited with %s; starting another", child.pid, child.exitcode)
                time.sleep(RESTART_PAUSE_S)
                children[i] = start(i)
    for child in children:
        if child.is_alive() and child.pid:
            child.terminate()
    for child in children:
        child.join()
    return 0
