"""A thread that runs a task at an interval: heartbeats, the dispatcher and maintenance."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """A thread that runs `task` every `interval` seconds, or at once when kicked.

    When `task` returns a true value (work was found) it runs again without waiting.
    """

    def __init__(self, name: str, interval: float, task: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval
        self.task = task
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"genmedia-{name}", daemon=True)

    def start(self) -> None:
        """Start the loop."""
        self.thread.start()

    def kick(self) -> None:
        """Run now rather than at the next interval."""
        self.wake.set()

    def stop(self) -> None:
        """Stop after the current round."""
        self.stopped.set()
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            try:
                busy = self.task()
            except Exception:
                log.exception("%s round failed; retrying", self.name)
                busy = False
            if not busy:
                self.wake.wait(self.interval)
                self.wake.clear()
