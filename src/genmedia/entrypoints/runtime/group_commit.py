"""Group commit: many threads' small writes carried out together in one transaction.

A thread hands its item in and waits. If no batch is being written, it writes every item
waiting so far, its own among them; items that arrive meanwhile wait for the next batch,
which the first of their threads to wake up writes. Batches form on their own under load
and cost no delay when there is none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")
R = TypeVar("R")


@attrs.define(eq=False)
class _Ticket(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None
    # Held until the ticket's thread may go on: its item was written, or it is to lead.
    wake: threading.Lock = attrs.field(factory=threading.Lock)

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[T, R]):
    """Runs `write` on batches of the items that threads `submit`, and gives each thread its
    own result (or raises its own error).

    `write` takes up to `max_batch` items and returns one result per item, in order; an
    exception in place of a result is raised in that item's thread. If `write` raises,
    every item of the batch gets that error. Each waiting thread is woken once, when its
    item was written or when it is its turn to write the next batch.
    """

    def __init__(
        self, write: Callable[[list[T]], Sequence[R | BaseException]], max_batch: int = 64
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Ticket[T, R]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        """Write `item` with whatever else is waiting; its result."""
        ticket: _Ticket[T, R] = _Ticket(item)
        ticket.wake.acquire()
        with self._lock:
            leading = not self._writing
            if leading:
                self._writing = True
            else:
                self._waiting.append(ticket)
        if not leading:
            ticket.wake.acquire()
            if ticket.done:
                return ticket.outcome()
        self._lead(ticket)
        return ticket.outcome()

    def _lead(self, ticket: _Ticket[T, R]) -> None:
        """Write this ticket's batch, hand the lead on, then wake the batch's threads."""
        # Yield the GIL once, so threads that are about to hand in their items join this
        # batch (measured: batches of 4.0 instead of 3.7 claims, and more jobs per second).
        time.sleep(0)
        with self._lock:
            batch = [ticket, *self._waiting[: self._max_batch - 1]]
            del self._waiting[: self._max_batch - 1]
        try:
            self._run(batch)
        finally:
            # Even if this thread is interrupted, nobody may be left waiting for it.
            with self._lock:
                successor = self._waiting.pop(0) if self._waiting else None
                self._writing = successor is not None
            if successor is not None:
                successor.wake.release()
            for member in batch[1:]:
                if not member.done:
                    member.error = RuntimeError("the batch's writer was interrupted")
                    member.done = True
                member.wake.release()

    def _run(self, batch: list[_Ticket[T, R]]) -> None:
        try:
            results = list(self._write([ticket.item for ticket in batch]))
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        except BaseException as error:
            results = [error] * len(batch)
        for ticket, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                ticket.error = result
            else:
                ticket.result = result
            ticket.done = True
