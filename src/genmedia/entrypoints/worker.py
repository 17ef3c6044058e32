"""The worker runtime: Dramatiq worker threads running the job actors, plus the dispatcher."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import dramatiq

from genmedia.adapters.queue.worker import InProcessWorker, declare_actors
from genmedia.entrypoints.container import Container

log = logging.getLogger(__name__)


class Dispatcher:
    """A thread that hands committed pending jobs to the broker, in priority order."""

    def __init__(self, container: Container, interval: float) -> None:
        self.container = container
        self.interval = interval
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="genmedia-dispatcher", daemon=True)

    def start(self) -> None:
        """Start dispatching."""
        self.thread.start()

    def kick(self) -> None:
        """Dispatch now rather than at the next interval."""
        self.wake.set()

    def stop(self) -> None:
        """Stop after the current round."""
        self.stopped.set()
        self.wake.set()
        self.thread.join()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            try:
                sent = self.container.dispatch_pending()
            except Exception:
                log.exception("dispatch round failed; retrying")
                sent = 0
            if not sent:
                self.wake.wait(self.interval)
                self.wake.clear()


class WorkerRuntime:
    """Job actors on the configured broker, worker threads and a dispatcher, in this process."""

    def __init__(self, container: Container) -> None:
        self.container = container
        broker = container.broker()
        # Anything that resolves the global broker must find ours, never a default one.
        dramatiq.set_broker(broker)
        runner = container.job_runner()
        declare_actors(broker, run=runner.run, poll=runner.poll)
        self.worker = InProcessWorker(broker, threads=container.config.worker_threads())
        self.dispatcher = Dispatcher(container, container.config.dispatch_interval())

    def start(self) -> None:
        """Start the worker threads, then the dispatcher."""
        self.worker.start()
        self.dispatcher.start()

    def stop(self) -> None:
        """Stop dispatching, let running messages finish, then stop the threads."""
        self.dispatcher.stop()
        self.worker.stop()

    def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM, then shut down gracefully."""
        done = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal %s received; shutting down", signum)
            done.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, on_signal)
        self.start()
        done.wait()
        self.stop()
