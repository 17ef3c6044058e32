"""Completing jobs: their media, their charge and their status, in one transaction
(SPEC EXE-2, WAL-8; ARCHITECTURE §4).

The outputs are already in storage; nothing here does I/O beyond the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.trainings import outcomes
from genmedia.application.wallet import billing
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media
from genmedia.domain.provider_cost import ProviderCost


@attrs.frozen(kw_only=True)
class StoredOutput:
    """One output already written to storage and measured."""

    index: int
    storage_path: str
    info: ImageInfo


@attrs.frozen(kw_only=True)
class Completion:
    """A finished run of a job, its outputs already in storage."""

    job: Job  # as its worker ran it: `lease` is the lease it ran under
    outputs: Sequence[StoredOutput]
    metadata: Mapping[str, Any]
    provider_cost: ProviderCost | None = None

    @property
    def job_id(self) -> int:
        """The job's id."""
        return self.job.id or 0

    @property
    def lease(self) -> int:
        """The lease the job ran under."""
        return self.job.lease


def complete_jobs(
    completions: Sequence[Completion], *, uow: UnitOfWork, clock: Clock
) -> set[tuple[int, int]]:
    """Write the media rows, charge the holds and complete the jobs and their requests, all
    in one transaction; the (job id, lease) of the completions written. A completion
    whose job no longer runs under that lease changes nothing.

    Each job is completed from the copy its worker ran, in one guarded write that also
    locks the rows, so the jobs are not read again. It is saved as charged in full; in the
    rare case that less could be charged (its hold expired and the balance no longer covers
    it) it is saved again with what was.
    """
    now = clock.now()
    once = {(c.job_id, c.lease): c for c in reversed(completions)}  # the first of each

    def attempt() -> set[tuple[int, int]]:
        finished = [_completed(completion, now) for completion in once.values()]
        of_job = {id(job): (job, completion) for job, completion in finished}
        with uow:
            written = uow.jobs.save_completed([job for job, _ in finished])
            done = [of_job[id(job)] for job in written]
            uow.requests.follow_all({job.request_id or 0 for job, _ in done}, locked=True)
            _store_and_charge(uow, done, now)
            uow.commit()
        return {(completion.job_id, completion.lease) for _, completion in done}

    return retry_stale(attempt)


def _completed(completion: Completion, now: datetime) -> tuple[Job, Completion]:
    """A copy of the completion's job, delivered and charged in full."""
    job = attrs.evolve(completion.job)
    job.deliver(now, completion.metadata, completion.provider_cost)
    return job, completion


def _store_and_charge(
    uow: UnitOfWork, done: Sequence[tuple[Job, Completion]], now: datetime
) -> None:
    """Add the completed jobs' media and charge them; a job that could not be charged in
    full is saved again with what was."""
    media = {job.id: _media(job, completion.outputs) for job, completion in done}
    uow.media.add_all([item for items in media.values() for item in items])
    charges = [(job, media[job.id][0].id if media[job.id] else None) for job, _ in done]
    charged = billing.capture_for_jobs(uow, charges, now)
    trained = [(job, _first_path(media[job.id])) for job, _ in done if job.input.training]
    if trained:
        outcomes.models_completed(uow, trained, charged)
    short = {
        job.id or 0: charged[job.id or 0]
        for job, _ in done
        if charged[job.id or 0] < job.input.credits
    }
    if short:
        _charge_short(uow, short)


def _first_path(media: list[Media]) -> str | None:
    return media[0].storage_path if media else None


def _charge_short(uow: UnitOfWork, paid: Mapping[int, int]) -> None:
    """Save delivered jobs again with the credits that could be charged, by job id."""
    stored = uow.jobs.lock(list(paid))
    for job in stored:
        job.charge_short(paid[job.id or 0])
    uow.jobs.save_all(stored)
    uow.requests.follow_all({job.request_id or 0 for job in stored})


def _media(job: Job, outputs: Sequence[StoredOutput]) -> list[Media]:
    return [
        Media.generated(
            user_id=job.user_id,
            request_id=job.request_id or 0,
            job_id=job.id or 0,
            output_index=out.index,
            storage_path=out.storage_path,
            info=out.info,
            original_media_id=job.input.edited_media_id,
            metadata=dict(job.input.media_facts),
        )
        for out in outputs
    ]


def complete_job(
    job: Job,
    outputs: Sequence[StoredOutput],
    output_metadata: Mapping[str, Any],
    *,
    uow: UnitOfWork,
    clock: Clock,
    provider_cost: ProviderCost | None = None,
) -> bool:
    """`complete_jobs` for one job, as its worker ran it; False if it no longer runs under
    that lease."""
    completion = Completion(
        job=job, outputs=outputs, metadata=output_metadata, provider_cost=provider_cost
    )
    written = complete_jobs([completion], uow=uow, clock=clock)
    return (completion.job_id, completion.lease) in written
