"""The completer: finished jobs written in batches, from a thread of their own.

As River's batch completer, a job thread hands its finished job over and takes its next
message at once (see `batch_writer`). Outside `start` … `stop` the job's own thread writes
its completion, grouped with other threads' by group commit (see `group_commit`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from genmedia.application.execution.completion import Completion
from genmedia.application.execution.endings import JobEndings
from genmedia.entrypoints.runtime.batch_writer import BatchWriter
from genmedia.entrypoints.runtime.group_commit import GroupCommit

log = logging.getLogger(__name__)


class Completer:
    """Writes the completions job threads hand it; `on_finished` is called once a batch
    finished jobs (a dispatcher in this process can fill their slots now)."""

    def __init__(
        self,
        endings: JobEndings,
        *,
        pause: float = 1.0,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self._endings = endings
        self._on_finished = on_finished
        self._together = GroupCommit(endings.complete_all)
        self._writer = BatchWriter(self._write, name="genmedia-completer", pause=pause)

    def start(self) -> None:
        """Write completions from the completer's thread from now on: a run then returns
        once the outputs are stored, before the job is marked completed."""
        self._writer.start()

    def stop(self) -> int:
        """Write the completions still waiting and go back to writing them in the job's own
        thread; how many could not be written (their jobs stay processing until rescued)."""
        left = self._writer.stop()
        if left:
            log.error("%s completions could not be written; their jobs will be rescued", len(left))
        return len(left)

    def complete(self, completion: Completion) -> None:
        """Hand the completion to the completer's thread, or, if it is not running, write it
        now with whatever other threads are writing."""
        if self._writer.put(completion):
            return
        if self._together.submit(completion):
            self._endings.completed(completion.job)

    def _write(self, finished: list[Completion]) -> list[Completion]:
        again = self._endings.settle(finished)
        if len(again) < len(finished) and self._on_finished is not None:
            self._on_finished()
        return again
