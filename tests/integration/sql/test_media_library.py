"""The SQL media repository as a user's library: pages, filters, favorites, downloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.media import Media, MediaKind
from tests.integration.sql.helpers import _info, _user
from tests.races import race

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def users(engine: sa.Engine) -> tuple[int, int]:
    with SqlUnitOfWork(engine) as uow:
        ann, bob = uow.users.add(_user("ann@example.com")), uow.users.add(_user("bob@example.com"))
        uow.commit()
    return ann.id or 0, bob.id or 0


def add(engine: sa.Engine, user_id: int, kind: MediaKind = MediaKind.UPLOADED) -> int:
    with SqlUnitOfWork(engine) as uow:
        media = uow.media.add(
            Media(user_id=user_id, kind=kind, storage_path=f"u/{user_id}.png", info=_info())
        )
        uow.commit()
    return media.id or 0


def listed(engine: sa.Engine, user_id: int, **query: object) -> list[int]:
    with SqlUnitOfWork(engine) as uow:
        found = uow.media.list_for_user(user_id, limit=query.pop("limit", 50), **query)  # type: ignore[arg-type]
    return [m.id or 0 for m in found]


def test_a_users_media_list_newest_first_and_continue_below_a_key(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, bob = users
    ids = [add(engine, ann) for _ in range(5)]
    add(engine, bob)

    assert listed(engine, ann) == ids[::-1]
    assert listed(engine, ann, limit=2) == [ids[4], ids[3]]
    assert listed(engine, ann, limit=2, after=ids[3]) == [ids[2], ids[1]]
    assert listed(engine, ann, after=ids[0]) == []


def test_the_list_filters_by_kind_and_favorite_and_leaves_out_deleted_media(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, _ = users
    upload, generated, gone = (
        add(engine, ann),
        add(engine, ann, MediaKind.GENERATED),
        add(engine, ann),
    )
    with SqlUnitOfWork(engine) as uow:
        assert uow.media.set_favorite(generated, ann, True)
        assert uow.media.soft_delete(gone, ann, NOW)
        uow.commit()

    assert listed(engine, ann, kind=MediaKind.UPLOADED) == [upload]
    assert listed(engine, ann, kind=MediaKind.GENERATED) == [generated]
    assert listed(engine, ann, favorite=True) == [generated]
    assert listed(engine, ann, favorite=False) == [upload]


def test_a_favorite_is_set_only_on_the_owners_live_media(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, bob = users
    mine, gone = add(engine, ann), add(engine, ann)
    with SqlUnitOfWork(engine) as uow:
        uow.media.soft_delete(gone, ann, NOW)
        assert not uow.media.set_favorite(mine, bob, True)
        assert not uow.media.set_favorite(gone, ann, True)
        assert not uow.media.set_favorite(10**9, ann, True)
        assert uow.media.set_favorite(mine, ann, True)
        assert uow.media.set_favorite(mine, ann, True)  # setting it again is no error
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.media.get(mine).is_favorite
        assert not uow.media.get(gone).is_favorite


def test_a_download_is_counted_on_the_owners_live_media_only(
    engine: sa.Engine, users: tuple[int, int]
) -> None:
    ann, bob = users
    mine, gone = add(engine, ann), add(engine, ann)
    with SqlUnitOfWork(engine) as uow:
        uow.media.soft_delete(gone, ann, NOW)
        assert uow.media.count_download(mine, ann) == f"u/{ann}.png"
        assert uow.media.count_download(mine, ann) == f"u/{ann}.png"
        assert uow.media.count_download(mine, bob) is None
        assert uow.media.count_download(gone, ann) is None
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert (uow.media.get(mine).download_count, uow.media.get(gone).download_count) == (2, 0)


def test_concurrent_downloads_are_each_counted_once(clean_postgres_engine: sa.Engine) -> None:
    engine = clean_postgres_engine
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.add(_user())
        uow.commit()
    media_id = add(engine, user.id or 0)

    def download(_: int) -> str | None:
        with SqlUnitOfWork(engine) as uow:
            path = uow.media.count_download(media_id, user.id or 0)
            uow.commit()
        return path

    assert all(isinstance(path, str) for path in race(8, download))
    with SqlUnitOfWork(engine) as uow:
        assert uow.media.get(media_id).download_count == 8
