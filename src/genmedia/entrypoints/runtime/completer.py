"""The completer: begun and finished jobs written in batches, from a thread of its own.

As River's batch completer, a job thread hands its finished job over and takes its next
message at once (see `batch_writer`). The record that a job's provider call begins goes the
same way, ahead of the job's completion in the same line, so a run does not wait for it
either: the attempt counts from the batch that writes it, a few milliseconds after the call
began (a worker killed in between leaves that attempt unspent; the job's deadline bounds
the tries). Any other write about the job waits for its begin first (`confirm`). Outside
`start` … `stop` a job's own thread writes both, grouped with other threads' writes by
group commit (see `group_commit`).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable

import attrs

from genmedia.application.execution.claims import WorkerClaims
from genmedia.application.execution.completion import Completion
from genmedia.application.execution.endings import JobEndings
from genmedia.domain.job import Job
from genmedia.entrypoints.runtime.batch_writer import BatchWriter
from genmedia.entrypoints.runtime.group_commit import GroupCommit

log = logging.getLogger(__name__)


@attrs.define(eq=False)
class _Begun:
    """A run whose provider call began and is yet to be written: the writer's copy of its
    job, and whether the write is over (done, or given up)."""

    job: Job
    over: threading.Event = attrs.field(factory=threading.Event)


class Completer:
    """Writes the begun runs and the completions job threads hand it; `on_finished` is
    called once a batch finished jobs (a dispatcher in this process can fill their slots)."""

    def __init__(
        self,
        claims: WorkerClaims,
        endings: JobEndings,
        *,
        pause: float = 1.0,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self._claims = claims
        self._endings = endings
        self._on_finished = on_finished
        self._begin_together = GroupCommit(claims.begin_all)
        self._together = GroupCommit(endings.complete_all)
        self._writer: BatchWriter[_Begun | Completion] = BatchWriter(
            self._write, name="genmedia-completer", pause=pause
        )
        # Begun runs not written yet, by job id.
        self._begun: dict[int, _Begun] = {}
        self._begun_lock = threading.Lock()

    def start(self) -> None:
        """Write begun runs and completions from the completer's thread from now on: a run
        then goes on as its call begins, and returns once the outputs are stored."""
        self._writer.start()

    def stop(self) -> int:
        """Write what is still waiting and go back to writing in the job's own thread; how
        many completions could not be written (their jobs stay processing until rescued)."""
        left = self._writer.stop()
        for item in left:
            if isinstance(item, _Begun):
                self._written(item)
        lost = sum(isinstance(item, Completion) for item in left)
        if lost:
            log.error("%s completions could not be written; their jobs will be rescued", lost)
        return lost

    def begin(self, job: Job) -> Job | None:
        """Begin the provider call of this job the worker claimed: with the completer
        running, the worker's copy is begun at once and written with the next batch;
        otherwise it is written now (see `WorkerClaims.begin_all`)."""
        begun = _Begun(copy.copy(job))
        with self._begun_lock:
            self._begun[job.id or 0] = begun
        if not self._writer.put(begun):
            self._written(begun)
            return self._begin_together.submit(job)
        self._claims.begin_locally(job)
        return job

    def confirm(self, job: Job) -> None:
        """Wait until the begin of the job's run is written (or given up), before another
        write about the job."""
        begun = self._begun.get(job.id or 0)
        if begun is not None:
            begun.over.wait()

    def complete(self, completion: Completion) -> None:
        """Hand the completion to the completer's thread, or, if it is not running, write it
        now with whatever other threads are writing."""
        if self._writer.put(completion):
            return
        self.confirm(completion.job)
        if self._together.submit(completion):
            self._endings.completed(completion.job)

    def _write(self, batch: list[_Begun | Completion]) -> list[_Begun | Completion]:
        """Write the batch's begun runs, then its completions (a job's begin comes before
        its completion in line, so never after it); what could not be written yet."""
        begun = [item for item in batch if isinstance(item, _Begun)]
        if begun:
            try:
                self._claims.begin_all([item.job for item in begun])
            except Exception:
                log.warning("writing %s begun runs failed", len(begun), exc_info=True)
                return batch
            for item in begun:
                self._written(item)
        finished = [item for item in batch if isinstance(item, Completion)]
        if not finished:
            return []
        again = self._endings.settle(finished)
        if len(again) < len(finished) and self._on_finished is not None:
            self._on_finished()
        return list(again)

    def _written(self, begun: _Begun) -> None:
        job_id = begun.job.id or 0
        with self._begun_lock:
            if self._begun.get(job_id) is begun:
                del self._begun[job_id]
        begun.over.set()
