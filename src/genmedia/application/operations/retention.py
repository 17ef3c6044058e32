"""Retention (SPEC GEN-8, GEN-11): deleting media, pruning old jobs and stored objects,
archiving old requests.

A deleted media is only marked deleted; its stored object stays for `media_days`, then a
periodic `apply_retention` removes the object and marks the media purged. The media row is
kept (the ledger and lineage may name it). Finished jobs are hard-deleted `job_days` after
they finished; their media keep their rows with no job. Finished requests are archived
`archive_days` after they were made: they leave the default listings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from genmedia.application.ports import Clock, ObjectStorage, UnitOfWork
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.request import ARCHIVE_DAYS

BATCH = 500


@attrs.frozen
class RetentionReport:
    """What one retention run did."""

    jobs_deleted: int
    objects_removed: int
    requests_archived: int = 0


def delete_media(media_id: int, user_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft-delete the user's media; NotFound if it is missing, another user's or deleted."""
    with uow:
        if not uow.media.soft_delete(media_id, user_id, clock.now()):
            raise NotFound("media", media_id)
        uow.commit()


def apply_retention(
    *,
    uow: UnitOfWork,
    storage: ObjectStorage,
    clock: Clock,
    job_days: int,
    media_days: int,
    archive_days: int = ARCHIVE_DAYS,
    batch: int = BATCH,
) -> RetentionReport:
    """Prune jobs finished more than `job_days` ago and the objects of media deleted more
    than `media_days` ago, `batch` rows per transaction, until nothing is left.

    Objects are removed outside any transaction and only then marked purged: a run that
    dies in between removes them again next time, which storage treats as a no-op.
    Safe to run from several processes at once.
    """
    if job_days < 1 or media_days < 1 or archive_days < 1:
        raise InvalidValue("retention", "retention periods are whole days, at least one")
    if batch < 1:
        raise InvalidValue("batch", "must be at least 1")
    now = clock.now()
    return RetentionReport(
        jobs_deleted=_prune_jobs(uow, now - timedelta(days=job_days), batch),
        objects_removed=_purge_media(uow, storage, clock, now - timedelta(days=media_days), batch),
        requests_archived=_archive_requests(uow, now - timedelta(days=archive_days), now, batch),
    )


def _prune_jobs(uow: UnitOfWork, before: datetime, batch: int) -> int:
    deleted = 0
    while True:
        with uow:
            count = uow.retention.delete_finished_jobs(before, batch)
            uow.commit()
        deleted += count
        if count < batch:
            return deleted


def _archive_requests(uow: UnitOfWork, before: datetime, now: datetime, batch: int) -> int:
    archived = 0
    while True:
        with uow:
            count = uow.retention.archive_requests(before, now, batch)
            uow.commit()
        archived += count
        if count < batch:
            return archived


def _purge_media(
    uow: UnitOfWork, storage: ObjectStorage, clock: Clock, before: datetime, batch: int
) -> int:
    """Remove the objects of media deleted before `before`; how many this run marked purged.

    Every listed media is marked (by this run or a concurrent one) or stops being deleted,
    so each round shrinks what is left. A storage error stops the run; the objects it
    already removed are listed and removed again next time.
    """
    purged = 0
    while True:
        with uow:
            doomed = uow.media.purgeable(before, batch)
        for media in doomed:
            storage.delete(media.storage_path)
        if doomed:
            with uow:
                purged += uow.media.mark_purged(
                    [m.id for m in doomed if m.id is not None], clock.now()
                )
                uow.commit()
        if len(doomed) < batch:
            return purged
