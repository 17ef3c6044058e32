"""Retention on fakes (SPEC GEN-8, GEN-11): old finished jobs go, old deleted objects go."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from genmedia.application.operations.retention import RetentionReport, apply_retention, delete_media
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.holds import CreditHold
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from tests.fakes import FakeClock, FakeStorage, FakeUnitOfWork

DAY = 24 * 3600
INFO = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


def _finish(job: Job, status: Status, at: datetime) -> None:
    if status is Status.PENDING:
        return
    job.start("w1")
    if status is Status.COMPLETED:
        job.complete(at, {}, 1)
    elif status is Status.FAILED:
        job.fail("boom", "it broke", at)
    elif status is Status.CANCELLED:
        job.cancel(at)


def add_request(uow: FakeUnitOfWork, user_id: int, *jobs: tuple[Status, datetime]) -> list[int]:
    """A request whose jobs end in these statuses at these times; the job ids."""
    feature_id = next(iter(uow.db.features))
    with uow:
        request = uow.requests.add(
            GenerationRequest(
                user_id=user_id,
                feature_id=feature_id,
                user_prompt="a cat",
                final_prompt="a cat",
                jobs=[
                    Job(user_id=user_id, feature_id=feature_id, index=i) for i in range(len(jobs))
                ],
            )
        )
        for job, (status, at) in zip(request.jobs, jobs, strict=True):
            _finish(job, status, at)
        request.refresh_status()
        uow.requests.save(request)
        uow.commit()
    return [job.id or 0 for job in request.jobs]


def add_media(
    uow: FakeUnitOfWork,
    storage: FakeStorage,
    user_id: int,
    key: str,
    *,
    job_id: int | None = None,
    deleted_at: datetime | None = None,
) -> int:
    storage.put(key, b"IMG", "image/png")
    with uow:
        media = uow.media.add(
            Media(
                user_id=user_id,
                kind=MediaKind.GENERATED if job_id else MediaKind.UPLOADED,
                storage_path=key,
                info=INFO,
                job_id=job_id,
                output_index=0 if job_id else None,
                deleted_at=deleted_at,
            )
        )
        uow.commit()
    return media.id or 0


def job_ids(uow: FakeUnitOfWork) -> set[int]:
    return {job.id or 0 for request in uow.db.requests.values() for job in request.jobs}


def retain(uow, storage, clock, **kw) -> RetentionReport:
    return apply_retention(uow=uow, storage=storage, clock=clock, job_days=30, media_days=7, **kw)


def test_finished_jobs_older_than_the_period_are_deleted_and_others_stay(
    uow, clock, user, storage
) -> None:
    old = clock.now() - timedelta(days=31)
    recent = clock.now() - timedelta(days=29)
    gone = add_request(uow, user.id, (Status.COMPLETED, old), (Status.FAILED, old))
    cancelled = add_request(uow, user.id, (Status.CANCELLED, old))
    fresh = add_request(uow, user.id, (Status.COMPLETED, recent))
    waiting = add_request(uow, user.id, (Status.PENDING, old))
    busy = add_request(uow, user.id, (Status.COMPLETED, old), (Status.PROCESSING, old))

    report = retain(uow, storage, clock)

    assert report == RetentionReport(jobs_deleted=3, objects_removed=0)
    assert job_ids(uow) == {*fresh, *waiting, *busy}
    assert not job_ids(uow) & {*gone, *cancelled}
    assert retain(uow, storage, clock) == RetentionReport(0, 0)


def test_media_of_a_deleted_job_keep_their_row_and_object(uow, clock, user, storage) -> None:
    (job_id,) = add_request(uow, user.id, (Status.COMPLETED, clock.now() - timedelta(days=40)))
    media_id = add_media(uow, storage, user.id, "generated/a.png", job_id=job_id)

    assert retain(uow, storage, clock).jobs_deleted == 1

    media = uow.db.media[media_id]
    assert media.job_id is None
    assert not media.is_deleted
    assert storage.exists("generated/a.png")


def test_a_job_whose_hold_is_still_pending_is_kept(uow, clock, user, storage) -> None:
    (job_id,) = add_request(uow, user.id, (Status.COMPLETED, clock.now() - timedelta(days=40)))
    with uow:
        uow.holds.add(CreditHold(user_id=user.id, job_id=job_id, amount=1, expires_at=clock.now()))
        uow.commit()

    assert retain(uow, storage, clock).jobs_deleted == 0
    assert job_id in job_ids(uow)


def test_jobs_are_pruned_batch_after_batch(uow, clock, user, storage) -> None:
    old = clock.now() - timedelta(days=31)
    ids = add_request(uow, user.id, *[(Status.COMPLETED, old)] * 5)

    assert retain(uow, storage, clock, batch=2).jobs_deleted == 5
    assert not job_ids(uow) & set(ids)


def test_objects_of_media_deleted_before_the_period_are_removed_and_marked(
    uow, clock, user, storage
) -> None:
    now = clock.now()
    old = add_media(uow, storage, user.id, "u/old.png", deleted_at=now - timedelta(days=8))
    recent = add_media(uow, storage, user.id, "u/recent.png", deleted_at=now - timedelta(days=6))
    live = add_media(uow, storage, user.id, "u/live.png")

    report = retain(uow, storage, clock)

    assert report == RetentionReport(jobs_deleted=0, objects_removed=1)
    assert not storage.exists("u/old.png")
    assert uow.db.media[old].purged_at == now
    assert storage.exists("u/recent.png")
    assert storage.exists("u/live.png")
    assert uow.db.media[recent].purged_at is None
    assert uow.db.media[live].purged_at is None
    assert retain(uow, storage, clock) == RetentionReport(0, 0)


def test_media_are_purged_batch_after_batch(uow, clock, user, storage) -> None:
    long_ago = clock.now() - timedelta(days=10)
    for i in range(5):
        add_media(uow, storage, user.id, f"u/{i}.png", deleted_at=long_ago)

    assert retain(uow, storage, clock, batch=2).objects_removed == 5
    assert storage.objects == {}
    assert all(media.is_purged for media in uow.db.media.values())


class BrokenStorage(FakeStorage):
    def delete(self, key: str) -> None:
        raise OSError("storage is down")


def test_a_storage_failure_marks_nothing_and_the_next_run_finishes(
    uow, clock, user, storage
) -> None:
    media_id = add_media(
        uow, storage, user.id, "u/a.png", deleted_at=clock.now() - timedelta(days=8)
    )
    broken = BrokenStorage()
    broken.objects = storage.objects

    with pytest.raises(OSError, match="storage is down"):
        retain(uow, broken, clock)
    assert uow.db.media[media_id].purged_at is None

    assert retain(uow, storage, clock).objects_removed == 1
    assert not storage.exists("u/a.png")


def test_retention_periods_are_at_least_a_day(uow, clock, storage) -> None:
    with pytest.raises(InvalidValue):
        apply_retention(uow=uow, storage=storage, clock=clock, job_days=0, media_days=7)
    with pytest.raises(InvalidValue):
        apply_retention(uow=uow, storage=storage, clock=clock, job_days=7, media_days=7, batch=0)


def test_an_owner_deletes_their_media_softly(uow, clock, user, storage) -> None:
    media_id = add_media(uow, storage, user.id, "u/a.png")
    clock.advance(DAY)

    delete_media(media_id, user.id, uow=uow, clock=clock)

    media = uow.db.media[media_id]
    assert media.deleted_at == clock.now()
    assert media.purged_at is None
    assert storage.exists("u/a.png")


def test_another_users_missing_or_deleted_media_is_not_found(uow, clock, user, storage) -> None:
    media_id = add_media(uow, storage, user.id, "u/a.png")

    with pytest.raises(NotFound):
        delete_media(media_id, (user.id or 0) + 1000, uow=uow, clock=clock)
    assert not uow.db.media[media_id].is_deleted
    with pytest.raises(NotFound):
        delete_media(999_999, user.id, uow=uow, clock=clock)

    delete_media(media_id, user.id, uow=uow, clock=clock)
    first = uow.db.media[media_id].deleted_at
    clock.advance(DAY)
    with pytest.raises(NotFound):
        delete_media(media_id, user.id, uow=uow, clock=clock)
    assert uow.db.media[media_id].deleted_at == first


def test_a_fresh_clock_and_fake_database_need_no_retention(storage) -> None:
    report = retain(FakeUnitOfWork(), storage, FakeClock())
    assert report == RetentionReport(jobs_deleted=0, objects_removed=0)
