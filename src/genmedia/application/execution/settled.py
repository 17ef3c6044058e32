"""What follows a job's end other than its status: the one place that settles a job that
failed or was cancelled, in the transaction that ended it."""

from __future__ import annotations

from genmedia.application.ports import UnitOfWork
from genmedia.application.trainings import outcomes
from genmedia.application.wallet import billing
from genmedia.domain.job import Job


def job_ended(uow: UnitOfWork, job: Job) -> int:
    """Release the hold of a job that failed or was cancelled, and fail the model it
    trained, if it trained one; the credits released."""
    released = billing.release_for_job(uow, job)
    outcomes.model_ended(uow, job)
    return released
