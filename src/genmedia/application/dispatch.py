"""Handing committed pending jobs to the broker: the jobs table is the outbox."""

from __future__ import annotations

from genmedia.application.ports import Clock, JobQueue, UnitOfWork

BATCH = 100


def dispatch_pending(*, uow: UnitOfWork, queue: JobQueue, clock: Clock, limit: int = BATCH) -> int:
    """Send pending, undispatched jobs in priority order; return how many were sent.

    Sending happens outside any transaction. A crash after sending and before marking sends
    the job again later, which the worker's guarded claim makes harmless.
    """
    with uow:
        pending = uow.outbox.pending(limit)
    for job in pending:
        queue.send_run(job.job_id)
    if not pending:
        return 0
    with uow:
        uow.outbox.mark_dispatched([job.job_id for job in pending], clock.now())
        uow.commit()
    return len(pending)
