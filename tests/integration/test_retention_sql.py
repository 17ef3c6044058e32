"""Retention on SQLite and PostgreSQL (SPEC GEN-8, GEN-11), with objects on a real disk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.tables import (
    generation_features,
    generation_jobs,
    generation_requests,
    wallet_transactions,
)
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.application.operations.retention import RetentionReport, apply_retention, delete_media
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.errors import NotFound
from genmedia.domain.holds import CreditHold
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryKind, EntryType, Links, Posting, Wallet
from tests.fakes import FakeClock

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
INFO = ImageInfo(file_format="png", width=8, height=8, file_size=3, blurhash="L00000")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def storage(tmp_path: Path) -> LocalDirectoryStorage:
    return LocalDirectoryStorage(tmp_path / "media")


def _owner(engine: sa.Engine) -> tuple[int, int]:
    """A user with 100 credits and a feature, by id; the feature is written by plain SQL,
    which the schema of every revision since 0001 takes."""
    with engine.begin() as connection:
        feature_id = connection.execute(
            sa.insert(generation_features).values(
                name="portrait", category=MediaCategory.IMAGE, system_prompt="be kind"
            )
        ).inserted_primary_key[0]
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.add(User(email="ann@example.com", name="Ann"))
        uow.wallets.add(Wallet(user_id=user.id or 0))
        uow.wallets.post(
            user.id or 0,
            Posting(
                reference_id="payment:1",
                type=EntryType.CREDIT,
                kind=EntryKind.PURCHASE,
                amount=100,
                reason="bought",
            ),
        )
        uow.commit()
    return user.id or 0, feature_id


@pytest.fixture
def owner(engine: sa.Engine) -> tuple[int, int]:
    return _owner(engine)


def add_request(
    engine: sa.Engine, owner: tuple[int, int], *jobs: tuple[Status, datetime]
) -> list[int]:
    """A request whose jobs end in these statuses at these times; the job ids."""
    user_id, feature_id = owner
    with SqlUnitOfWork(engine) as uow:
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
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        request = uow.requests.get(request.id or 0)
        for job, (status, at) in zip(request.jobs, jobs, strict=True):
            if status is not Status.PENDING:
                job.start("w1")
            if status is Status.COMPLETED:
                job.complete(at, {}, 1)
            elif status is Status.FAILED:
                job.fail("boom", "it broke", at)
            elif status is Status.CANCELLED:
                job.cancel(at)
        request.refresh_status()
        uow.requests.save(request)
        uow.commit()
    return [job.id or 0 for job in request.jobs]


def charge(engine: sa.Engine, user_id: int, job_id: int) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.wallets.post(
            user_id,
            Posting(
                reference_id=f"job:{job_id}:capture",
                type=EntryType.DEBIT,
                kind=EntryKind.GENERATION,
                amount=1,
                reason=f"generation job {job_id}",
                links=Links(job_id=job_id),
            ),
        )
        uow.commit()


def add_media(
    engine: sa.Engine,
    storage: LocalDirectoryStorage,
    user_id: int,
    key: str,
    *,
    job_id: int | None = None,
    deleted_at: datetime | None = None,
) -> int:
    storage.put(key, b"png", "image/png")
    with SqlUnitOfWork(engine) as uow:
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


def job_ids(engine: sa.Engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.execute(sa.select(generation_jobs.c.id)).scalars())


def retain(engine: sa.Engine, storage: LocalDirectoryStorage, clock: FakeClock) -> RetentionReport:
    return apply_retention(
        uow=SqlUnitOfWork(engine),
        storage=storage,
        clock=clock,
        job_days=30,
        media_days=7,
        batch=2,
    )


def test_old_finished_jobs_go_and_recent_or_unfinished_ones_stay(
    engine: sa.Engine, owner: tuple[int, int], storage: LocalDirectoryStorage, clock: FakeClock
) -> None:
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    done, failed = add_request(engine, owner, (Status.COMPLETED, old), (Status.FAILED, old))
    (cancelled,) = add_request(engine, owner, (Status.CANCELLED, old))
    fresh = add_request(engine, owner, (Status.COMPLETED, recent))
    waiting = add_request(engine, owner, (Status.PENDING, old))
    busy = add_request(engine, owner, (Status.COMPLETED, old), (Status.PROCESSING, old))
    held = add_request(engine, owner, (Status.COMPLETED, old))
    with SqlUnitOfWork(engine) as uow:
        uow.holds.add(CreditHold(user_id=owner[0], job_id=held[0], amount=1, expires_at=NOW))
        uow.commit()

    report = retain(engine, storage, clock)

    assert report == RetentionReport(jobs_deleted=3, objects_removed=0)
    assert job_ids(engine) == {*fresh, *waiting, *busy, *held}
    assert retain(engine, storage, clock) == RetentionReport(jobs_deleted=0, objects_removed=0)
    with SqlUnitOfWork(engine) as uow:
        emptied = uow.requests.get_by_job(fresh[0])
        assert emptied.jobs[0].id == fresh[0]
        with pytest.raises(NotFound):
            uow.requests.get_by_job(done)
    assert {done, failed, cancelled}.isdisjoint(job_ids(engine))


def test_a_pruned_job_leaves_its_media_and_its_ledger_entry(
    engine: sa.Engine, owner: tuple[int, int], storage: LocalDirectoryStorage, clock: FakeClock
) -> None:
    (job_id,) = add_request(engine, owner, (Status.COMPLETED, NOW - timedelta(days=40)))
    media_id = add_media(engine, storage, owner[0], "generated/j/0.png", job_id=job_id)
    charge(engine, owner[0], job_id)

    assert retain(engine, storage, clock).jobs_deleted == 1

    with SqlUnitOfWork(engine) as uow:
        media = uow.media.get(media_id)
        entry = uow.wallets.entry(f"job:{job_id}:capture")
    assert (media.job_id, media.deleted_at, media.purged_at) == (None, None, None)
    assert storage.exists("generated/j/0.png")
    assert entry is not None
    assert entry.links.job_id == job_id
    assert job_ids(engine) == set()


def test_objects_of_media_deleted_before_the_period_are_removed_once(
    engine: sa.Engine, owner: tuple[int, int], storage: LocalDirectoryStorage, clock: FakeClock
) -> None:
    user_id = owner[0]
    old = [
        add_media(engine, storage, user_id, f"u/old{i}.png", deleted_at=NOW - timedelta(days=8))
        for i in range(3)
    ]
    recent = add_media(engine, storage, user_id, "u/recent.png", deleted_at=NOW - timedelta(days=6))
    live = add_media(engine, storage, user_id, "u/live.png")

    assert retain(engine, storage, clock) == RetentionReport(jobs_deleted=0, objects_removed=3)

    with SqlUnitOfWork(engine) as uow:
        assert all(uow.media.get(media_id).purged_at == NOW for media_id in old)
        assert uow.media.get(recent).purged_at is None
        assert uow.media.get(live).purged_at is None
        assert [m.id for m in uow.media.purgeable(NOW, 10)] == [recent]
    assert not any(storage.exists(f"u/old{i}.png") for i in range(3))
    assert storage.exists("u/recent.png")
    assert storage.exists("u/live.png")
    assert retain(engine, storage, clock) == RetentionReport(jobs_deleted=0, objects_removed=0)

    clock.advance(2 * 24 * 3600)
    assert retain(engine, storage, clock).objects_removed == 1
    assert not storage.exists("u/recent.png")


def test_purgeable_lists_oldest_deletions_first_and_mark_purged_is_guarded(
    engine: sa.Engine, owner: tuple[int, int], storage: LocalDirectoryStorage
) -> None:
    user_id = owner[0]
    later = add_media(engine, storage, user_id, "u/b.png", deleted_at=NOW - timedelta(days=9))
    first = add_media(engine, storage, user_id, "u/a.png", deleted_at=NOW - timedelta(days=10))
    live = add_media(engine, storage, user_id, "u/c.png")
    with SqlUnitOfWork(engine) as uow:
        assert [m.id for m in uow.media.purgeable(NOW, 10)] == [first, later]
        assert [m.id for m in uow.media.purgeable(NOW, 1)] == [first]
        assert uow.media.purgeable(NOW - timedelta(days=10), 10) == []
        assert uow.media.mark_purged([first, live], NOW) == 1
        assert uow.media.mark_purged([first], NOW) == 0
        assert uow.media.mark_purged([], NOW) == 0
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [m.id for m in uow.media.purgeable(NOW, 10)] == [later]


def test_only_the_owner_soft_deletes_a_live_media(
    engine: sa.Engine, owner: tuple[int, int], storage: LocalDirectoryStorage, clock: FakeClock
) -> None:
    media_id = add_media(engine, storage, owner[0], "u/a.png")

    with pytest.raises(NotFound):
        delete_media(media_id, owner[0] + 1, uow=SqlUnitOfWork(engine), clock=clock)
    delete_media(media_id, owner[0], uow=SqlUnitOfWork(engine), clock=clock)
    clock.advance(60)
    with pytest.raises(NotFound):
        delete_media(media_id, owner[0], uow=SqlUnitOfWork(engine), clock=clock)

    with SqlUnitOfWork(engine) as uow:
        media = uow.media.get(media_id)
    assert media.deleted_at == NOW
    assert media.purged_at is None
    assert storage.exists("u/a.png")


# --- migration 0006 keeps the ledger ----------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind that no migration touched yet."""
    if request.param == "postgresql":
        yield request.getfixturevalue("empty_postgres_url")
        return
    yield f"sqlite:///{tmp_path / 'fresh.db'}"


def _completed_job_in_sql(engine: sa.Engine, owner: tuple[int, int]) -> int:
    """A completed job written with the columns every revision since 0001 has: the
    repositories read the columns of the newest revision."""
    user_id, feature_id = owner
    with engine.begin() as connection:
        request_id = connection.execute(
            sa.insert(generation_requests).values(
                user_id=user_id,
                feature_id=feature_id,
                user_prompt="a cat",
                final_prompt="a cat",
                status=Status.COMPLETED,
            )
        ).inserted_primary_key[0]
        return int(
            connection.execute(
                sa.insert(generation_jobs).values(
                    request_id=request_id, user_id=user_id, feature_id=feature_id,
                    category="image", job_index=0, input_json={}, status=Status.COMPLETED,
                    completed_at=NOW,
                )
            ).inserted_primary_key[0]
        )  # fmt: skip


def test_migration_0006_keeps_ledger_entries_and_their_guard(unmigrated_url: str) -> None:
    migrate.upgrade(unmigrated_url, "0005")
    engine = create_engine(unmigrated_url, pool_size=1)
    try:
        owner = _owner(engine)
        job_id = _completed_job_in_sql(engine, owner)
        charge(engine, owner[0], job_id)
        ledger = sa.select(wallet_transactions.c.reference_id, wallet_transactions.c.job_id)
        with engine.connect() as connection:
            before = connection.execute(ledger.order_by(wallet_transactions.c.id)).all()
        engine.dispose()

        migrate.upgrade(unmigrated_url)

        with engine.begin() as connection:
            connection.execute(sa.delete(generation_jobs).where(generation_jobs.c.id == job_id))
        with engine.connect() as connection:
            after = connection.execute(ledger.order_by(wallet_transactions.c.id)).all()
        assert after == before
        assert after[-1].job_id == job_id
        for statement in (
            sa.update(wallet_transactions).values(reason="changed"),
            sa.delete(wallet_transactions),
        ):
            with (
                pytest.raises(sa.exc.DBAPIError, match="append-only"),
                engine.begin() as connection,
            ):
                connection.execute(statement)
    finally:
        engine.dispose()
