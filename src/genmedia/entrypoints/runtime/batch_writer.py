"""Background batches: many threads hand items over and go on; one thread writes them.

This is River's "batch completer" for a worker process: a job thread hands its finished job
over and takes its next message at once, instead of waiting for a commit. The writing thread
takes everything waiting (up to `max_batch` items, oldest first), writes it, and repeats, so
batches grow with the load and cost no delay without it. Items that `write` gives back (it
could not write them yet, say the database was unreachable) go first in line again and are
tried after `pause` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class BatchWriter(Generic[T]):
    """Writes the items that threads `put`, in batches, from a thread of its own.

    `write` takes up to `max_batch` items and returns those it could not write yet. Items
    are only accepted between `start` and `stop`; outside that, `put` returns False and the
    caller writes the item itself.
    """

    def __init__(
        self,
        write: Callable[[list[T]], Sequence[T]],
        *,
        name: str,
        max_batch: int = 64,
        pause: float = 1.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self._name = name
        self._max_batch = max_batch
        self._pause = pause
        self._changed = threading.Condition()
        self._items: list[T] = []
        self._accepting = False
        self._stopping = False
        self._tries_left = 0
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writing thread and accept items."""
        with self._changed:
            if self._thread is not None:
                raise RuntimeError(f"{self._name} is already running")
            self._accepting, self._stopping = True, False
            self._halt.clear()
            self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
            self._thread.start()

    def put(self, item: T) -> bool:
        """Hand `item` over to be written soon; False if the writer is not running."""
        with self._changed:
            if not self._accepting:
                return False
            self._items.append(item)
            self._changed.notify()
            return True

    def stop(self, tries: int = 3) -> list[T]:
        """Stop accepting, write what is waiting (retrying what `write` gives back up to
        `tries` more times in all, `pause` apart), stop the thread; the items never written."""
        with self._changed:
            thread, self._thread = self._thread, None
            self._accepting, self._stopping = False, True
            self._tries_left = tries
            self._changed.notify()
        self._halt.set()
        if thread is not None:
            thread.join()
        with self._changed:
            left, self._items = self._items, []
        return left

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._items and not self._stopping:
                    self._changed.wait()
                if not self._items:
                    return
                batch = self._items[: self._max_batch]
                del self._items[: self._max_batch]
            again = self._write_safely(batch)
            if not again:
                continue
            with self._changed:
                self._items[:0] = again
                stopping = self._stopping
                if stopping:
                    if self._tries_left <= 0:
                        return
                    self._tries_left -= 1
            if stopping:
                time.sleep(self._pause)
            else:
                # New items do not cut the pause short; a stop does, and then counts tries.
                self._halt.wait(self._pause)

    def _write_safely(self, batch: list[T]) -> list[T]:
        try:
            return list(self._write(batch))
        except Exception:
            log.exception("%s: writing a batch of %s failed; trying again", self._name, len(batch))
            return batch
