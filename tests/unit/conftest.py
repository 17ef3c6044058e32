"""Fixtures for unit tests: a seeded in-memory catalog and fake ports."""

from __future__ import annotations

import pytest

from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeHasher, FakeUnitOfWork


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow(clock: FakeClock) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="admin@example.com")
    return uow


@pytest.fixture
def user(uow: FakeUnitOfWork, clock: FakeClock) -> User:
    return create_user(
        CreateUser(email="ann@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )


@pytest.fixture
def photo(uow: FakeUnitOfWork, user: User) -> Media:
    with uow:
        media = uow.media.add(
            Media(
                user_id=user.id or 0,
                kind=MediaKind.UPLOADED,
                storage_path="uploads/photo.png",
                info=ImageInfo(
                    file_format="png", width=64, height=64, file_size=10, blurhash="L00000"
                ),
            )
        )
        uow.commit()
    return media
