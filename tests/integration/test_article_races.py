"""Articles raced on PostgreSQL: the row lock and the unique slug decide, not Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from genmedia.adapters.markdown import SanitisingMarkdownRenderer
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.tables import articles
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.content import writing
from genmedia.application.content.commands import WriteArticle
from genmedia.domain.user import User
from tests.conftest import truncate_all
from tests.fakes import FakeClock
from tests.races import race

pytestmark = pytest.mark.integration

N = 8
RENDERER = SanitisingMarkdownRenderer()


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    """An emptied PostgreSQL database, with a pool big enough for every racer at once."""
    engine = create_engine(postgres_url, pool_size=N + 2)
    truncate_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def editor(engine: sa.Engine) -> int:
    uow = SqlUnitOfWork(engine)
    with uow:
        editor = uow.users.add(User(email="ed@example.com", is_admin=True))
        uow.commit()
    return editor.id or 0


def _write(engine: sa.Engine, editor: int, title: str) -> int:
    command = WriteArticle(actor_id=editor, title=title, content="Hi")
    uow, clock = SqlUnitOfWork(engine), FakeClock()
    return writing.write_article(command, uow=uow, clock=clock, renderer=RENDERER).id or 0


def test_articles_of_one_title_written_at_once_each_get_their_own_slug(
    engine: sa.Engine, editor: int
) -> None:
    outcomes = race(N, lambda _: _write(engine, editor, "Same title"))
    assert all(isinstance(o, int) for o in outcomes), outcomes
    with engine.connect() as connection:
        slugs = set(connection.execute(sa.select(articles.c.slug)).scalars())
    assert slugs == {"same-title", *(f"same-title-{n}" for n in range(2, N + 1))}


def test_a_draft_published_and_archived_at_once_moves_by_one_act_at_a_time(
    engine: sa.Engine, editor: int
) -> None:
    article_id = _write(engine, editor, "Contested")
    acts = [writing.publish_article, writing.archive_article] * (N // 2)
    outcomes = race(
        N, lambda i: acts[i](editor, article_id, uow=SqlUnitOfWork(engine), clock=FakeClock())
    )
    counted = Counter(type(o).__name__ for o in outcomes)
    with engine.connect() as connection:
        status = connection.execute(sa.select(articles.c.status)).scalar_one()
        audit = connection.exec_driver_sql("SELECT action FROM audit_log").scalars().all()
    # Either one publish then one archive, or one archive alone; the rest found the
    # status moved and were refused.
    assert status.value == "archived"
    assert counted["Article"] == len(audit) - 1 == (2 if "publish" in audit else 1)
    assert counted["IllegalTransition"] == N - counted["Article"]
