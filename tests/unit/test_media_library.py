"""A user's media library on fakes (SPEC GEN-8): pages, favorites, downloads, visibility."""

from __future__ import annotations

import pytest

from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.media.library import (
    ListMedia,
    get_media,
    list_media,
    media_content,
    set_favorite,
)
from genmedia.application.operations.retention import delete_media
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeHasher, FakeStorage, FakeUnitOfWork

INFO = ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L00000")
EXPIRY = 600


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def other(uow: FakeUnitOfWork, clock: FakeClock) -> User:
    return create_user(
        CreateUser(email="bob@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )


def add_media(uow: FakeUnitOfWork, user: User, kind: MediaKind = MediaKind.UPLOADED) -> int:
    with uow:
        media = uow.media.add(
            Media(user_id=user.id or 0, kind=kind, storage_path="p/x.png", info=INFO)
        )
        uow.commit()
    return media.id or 0


def page_ids(uow: FakeUnitOfWork, storage: FakeStorage, **query: object) -> list[int]:
    page = list_media(ListMedia(**query), uow=uow, storage=storage, url_expiry=EXPIRY)  # type: ignore[arg-type]
    return [item.media.id or 0 for item in page.items]


def all_pages(uow: FakeUnitOfWork, storage: FakeStorage, user: User, limit: int) -> list[list[int]]:
    pages, after = [], None
    while True:
        query = ListMedia(user_id=user.id or 0, limit=limit, after=after)
        page = list_media(query, uow=uow, storage=storage, url_expiry=EXPIRY)
        pages.append([item.media.id or 0 for item in page.items])
        if page.next_after is None:
            return pages
        after = page.next_after


def test_media_are_listed_newest_first_a_page_at_a_time(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    ids = [add_media(uow, user) for _ in range(5)]

    assert all_pages(uow, storage, user, 2) == [ids[4:2:-1], ids[2:0:-1], ids[:1]]


def test_a_full_last_page_has_no_next_page(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    ids = [add_media(uow, user) for _ in range(4)]

    assert all_pages(uow, storage, user, 2) == [ids[3:1:-1], ids[1::-1]]


def test_media_added_while_paging_do_not_shift_the_next_page(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    ids = [add_media(uow, user) for _ in range(4)]
    first = list_media(
        ListMedia(user_id=user.id or 0, limit=2), uow=uow, storage=storage, url_expiry=EXPIRY
    )
    add_media(uow, user)

    rest = ListMedia(user_id=user.id or 0, limit=2, after=first.next_after)
    second = list_media(rest, uow=uow, storage=storage, url_expiry=EXPIRY)

    assert [item.media.id for item in second.items] == [ids[1], ids[0]]


def test_every_listed_media_has_a_time_limited_url(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    add_media(uow, user)
    page = list_media(ListMedia(user_id=user.id or 0), uow=uow, storage=storage, url_expiry=EXPIRY)

    assert page.items[0].url == f"fake://p/x.png?expires_in={EXPIRY}"


def test_the_list_filters_by_kind_and_favorite(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    upload = add_media(uow, user)
    generated = add_media(uow, user, MediaKind.GENERATED)
    set_favorite(generated, user.id or 0, True, uow=uow)
    uid = user.id or 0

    assert page_ids(uow, storage, user_id=uid, kind=MediaKind.UPLOADED) == [upload]
    assert page_ids(uow, storage, user_id=uid, kind=MediaKind.GENERATED) == [generated]
    assert page_ids(uow, storage, user_id=uid, favorite=True) == [generated]
    assert page_ids(uow, storage, user_id=uid, favorite=False) == [upload]
    assert page_ids(uow, storage, user_id=uid, kind=MediaKind.EDITED) == []


def test_another_users_and_deleted_media_are_not_listed(
    uow: FakeUnitOfWork, storage: FakeStorage, clock: FakeClock, user: User, other: User
) -> None:
    mine = add_media(uow, user)
    gone = add_media(uow, user)
    add_media(uow, other)
    delete_media(gone, user.id or 0, uow=uow, clock=clock)

    assert page_ids(uow, storage, user_id=user.id or 0) == [mine]


@pytest.mark.parametrize("limit", [0, -1, 101, 10**9])
def test_a_page_limit_outside_1_to_100_is_refused(limit: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        ListMedia(user_id=1, limit=limit)

    assert refused.value.field == "limit"


def test_one_media_is_shown_to_its_owner_with_its_url(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    media_id = add_media(uow, user)

    shown = get_media(media_id, user.id or 0, uow=uow, storage=storage, url_expiry=EXPIRY)

    assert (shown.media.id, shown.url) == (media_id, f"fake://p/x.png?expires_in={EXPIRY}")


def test_another_users_deleted_or_missing_media_is_not_found(
    uow: FakeUnitOfWork, storage: FakeStorage, clock: FakeClock, user: User, other: User
) -> None:
    theirs = add_media(uow, other)
    gone = add_media(uow, user)
    delete_media(gone, user.id or 0, uow=uow, clock=clock)

    for media_id in (theirs, gone, 999):
        with pytest.raises(NotFound):
            get_media(media_id, user.id or 0, uow=uow, storage=storage, url_expiry=EXPIRY)


def test_a_favorite_is_set_and_unset_by_its_owner_only(
    uow: FakeUnitOfWork, user: User, other: User
) -> None:
    media_id = add_media(uow, user)

    set_favorite(media_id, user.id or 0, True, uow=uow)
    assert uow.db.media[media_id].is_favorite
    with pytest.raises(NotFound):
        set_favorite(media_id, other.id or 0, False, uow=uow)
    assert uow.db.media[media_id].is_favorite
    set_favorite(media_id, user.id or 0, False, uow=uow)
    assert not uow.db.media[media_id].is_favorite


def test_each_content_request_counts_one_download_and_gives_the_url(
    uow: FakeUnitOfWork, storage: FakeStorage, user: User
) -> None:
    media_id = add_media(uow, user)

    urls = [
        media_content(media_id, user.id or 0, uow=uow, storage=storage, url_expiry=EXPIRY)
        for _ in range(3)
    ]

    assert urls == [f"fake://p/x.png?expires_in={EXPIRY}"] * 3
    assert uow.db.media[media_id].download_count == 3


def test_content_of_another_users_or_a_deleted_media_counts_nothing(
    uow: FakeUnitOfWork, storage: FakeStorage, clock: FakeClock, user: User, other: User
) -> None:
    theirs = add_media(uow, other)
    gone = add_media(uow, user)
    delete_media(gone, user.id or 0, uow=uow, clock=clock)

    for media_id in (theirs, gone):
        with pytest.raises(NotFound):
            media_content(media_id, user.id or 0, uow=uow, storage=storage, url_expiry=EXPIRY)
        assert uow.db.media[media_id].download_count == 0
