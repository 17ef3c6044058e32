"""The SQL user repository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.errors import AlreadyExists
from tests.integration.sql.helpers import _user

pytestmark = pytest.mark.integration


def test_a_user_round_trips_and_is_found_by_email_in_any_case(engine: sa.Engine) -> None:
    moment = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    with SqlUnitOfWork(engine) as uow:
        user = _user()
        user.last_login_at = moment
        uow.users.add(user)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.users.get(user.id or 0)
        assert uow.users.get_by_email("  ADA@Example.com ") is not None
        assert uow.users.get_by_email("bob@example.com") is None
    assert (loaded.email, loaded.name, loaded.priority) == ("ada@example.com", "Ada", 2)
    assert loaded.last_login_at == moment
    assert loaded.last_login_at.tzinfo is UTC
    assert loaded.created_at is not None
    assert loaded.created_at.tzinfo is UTC


def test_a_taken_email_is_already_exists_and_the_transaction_goes_on(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(_user())
        with pytest.raises(AlreadyExists):
            uow.users.add(_user())
        uow.users.add(_user("bob@example.com"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_by_email("ada@example.com") is not None
        assert uow.users.get_by_email("bob@example.com") is not None
