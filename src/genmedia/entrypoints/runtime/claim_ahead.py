"""Claims at fetch: the jobs of a batch of fetched messages claimed in one transaction.

The broker's consumer thread fetches messages in batches; before any worker thread takes
them up, the process claims their jobs together, and keeps each until its thread asks
for it (`claim`). A claim spends no attempt: the thread that takes the job up records
that its provider call begins (`JobRunner.begin`), which also finds a cancellation or a
rescue that reached the job while it waited here. A job that waited here when its worker
died is given back by the rescuer with its attempts unspent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from genmedia.application.execution.claims import WorkerClaims
from genmedia.domain.job import Job

log = logging.getLogger(__name__)


class ClaimAhead:
    """Jobs claimed as their messages were fetched, by id, until a worker thread runs them;
    a job not claimed ahead is claimed by `fallback`."""

    def __init__(self, claims: WorkerClaims, *, fallback: Callable[[int], Job | None]) -> None:
        self._claims = claims
        self._fallback = fallback
        # Jobs that no thread has taken up yet, by id.
        self._ahead: dict[int, Job] = {}
        self._claiming = False

    def start(self) -> None:
        """Claim ahead from now on (a worker runtime starts)."""
        self._claiming = True

    def stop(self) -> None:
        """Claim no more jobs ahead: the worker is stopping, and no thread may take them up."""
        self._claiming = False

    def fetched(self, job_ids: list[int]) -> None:
        """Claim, in one transaction, the jobs whose messages were just fetched.

        If the claim fails, each thread claims its job itself as usual; so does every thread
        outside `start` … `stop`."""
        if not self._claiming:
            return
        try:
            claimed = self._claims.claim_all(job_ids)
        except Exception:
            log.warning("claiming %s fetched jobs failed", len(job_ids), exc_info=True)
            return
        for job in claimed:
            if job is not None:
                self._ahead[job.id or 0] = job

    def claim(self, job_id: int) -> Job | None:
        """The job for a worker thread to run, claimed ahead or now; None if it is not this
        thread's to run (claimed or finished already)."""
        ahead = self._ahead.pop(job_id, None)
        return self._fallback(job_id) if ahead is None else ahead

    def release(self) -> int:
        """Undo the claims that no thread took up (call it once the worker threads have
        stopped); how many jobs went back to pending or, if their cancellation was requested
        meanwhile, were cancelled."""
        released = 0
        while True:
            try:
                _, job = self._ahead.popitem()
            except KeyError:  # empty, perhaps since a straggling thread took the last one
                return released
            released += self._release(job)

    def _release(self, job: Job) -> bool:
        try:
            return self._claims.release(job)
        except Exception:
            log.exception("job %s: undoing its claim failed; it will be rescued", job.id)
            return False
