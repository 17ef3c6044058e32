"""Article use cases on fakes (SPEC CNT-1): writing, reading, auditing and re-rendering."""

from __future__ import annotations

import pytest

from genmedia.application.content import reading, writing
from genmedia.application.content.commands import ReviseArticle, WriteArticle
from genmedia.domain.article import ArticleStatus
from genmedia.domain.errors import AlreadyExists, IllegalTransition, InvalidValue, NotFound
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeRenderer, FakeUnitOfWork


@pytest.fixture
def renderer() -> FakeRenderer:
    return FakeRenderer()


@pytest.fixture
def editor(uow: FakeUnitOfWork) -> User:
    with uow:
        editor = uow.users.add(User(email="editor@example.com", name="Ed", is_admin=True))
        uow.commit()
    return editor


def write(uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User,
          **fields: str) -> int:  # fmt: skip
    command = WriteArticle(actor_id=editor.id or 0, **{"title": "Hello", **fields})
    return writing.write_article(command, uow=uow, clock=clock, renderer=renderer).id or 0


def test_a_new_article_gets_a_free_slug_from_its_title_and_an_audit_entry(
    uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User
) -> None:
    ids = [write(uow, clock, renderer, editor, content="<b>") for _ in range(3)]
    slugs = [uow.db.articles[i].slug for i in ids]
    assert slugs == ["hello", "hello-2", "hello-3"]
    assert uow.db.articles[ids[0]].rendering.html == "<p>&lt;b&gt;</p>"
    entry = uow.db.audit[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id, entry.before) == (
        "create", "article", str(ids[2]), editor.id, None,
    )  # fmt: skip
    assert (entry.after or {})["status"] == "draft"


def test_a_chosen_slug_that_is_taken_or_a_non_admin_author_stores_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User, user: User
) -> None:
    write(uow, clock, renderer, editor, slug="mine")
    stored = (dict(uow.db.articles), list(uow.db.audit))
    with pytest.raises(AlreadyExists):
        write(uow, clock, renderer, editor, slug="mine")
    with pytest.raises(InvalidValue, match="admin"):
        write(uow, clock, renderer, user)
    assert (dict(uow.db.articles), list(uow.db.audit)) == stored


def test_the_public_reads_only_published_articles_by_id_or_slug_with_the_authors_name(
    uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User
) -> None:
    article_id = write(uow, clock, renderer, editor, content="Hi")
    for key in (article_id, "hello", "Not a slug!", "x" * 500):
        with pytest.raises(NotFound):
            reading.get_published_article(key, uow=uow, renderer=renderer)
    writing.publish_article(editor.id or 0, article_id, uow=uow, clock=clock)
    shown = reading.get_published_article("hello", uow=uow, renderer=renderer)
    assert (shown.article.id, shown.author_name) == (article_id, "Ed")
    page = reading.list_published_articles(uow=uow, renderer=renderer)
    assert [e.article.id for e in page.items] == [article_id]


def test_a_revision_and_each_act_are_audited_with_the_state_before_and_after(
    uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User
) -> None:
    article_id = write(uow, clock, renderer, editor)
    actor = editor.id or 0
    writing.revise_article(
        ReviseArticle(actor_id=actor, article_id=article_id, content="New"),
        uow=uow, clock=clock, renderer=renderer,
    )  # fmt: skip
    writing.archive_article(actor, article_id, uow=uow, clock=clock)
    with pytest.raises(IllegalTransition):
        writing.unpublish_article(actor, article_id, uow=uow, clock=clock)
    writing.restore_article(actor, article_id, uow=uow, clock=clock)
    writing.delete_article(actor, article_id, uow=uow, clock=clock)
    actions = [(e.action, (e.before or {}).get("status"), (e.after or {}).get("status"))
               for e in uow.db.audit]  # fmt: skip
    assert actions == [
        ("create", None, "draft"),
        ("update", "draft", "draft"),
        ("archive", "draft", "archived"),
        ("restore", "archived", "draft"),
        ("delete", "draft", None),
    ]
    assert (uow.db.audit[1].before or {})["content"] == ""
    assert (uow.db.audit[-1].before or {})["content"] == "New"
    assert uow.db.articles == {}


def test_html_of_an_older_renderer_is_made_again_when_read_and_stored_by_a_rerender(
    uow: FakeUnitOfWork, clock: FakeClock, renderer: FakeRenderer, editor: User
) -> None:
    ids = [write(uow, clock, renderer, editor, content=f"v{n}") for n in range(3)]
    renderer.current, renderer.renderings = "fake 2", 0
    page = reading.list_articles(ArticleStatus.DRAFT, uow=uow, renderer=renderer)
    assert {e.article.rendering.renderer for e in page.items} == {"fake 2"}
    assert renderer.renderings == 3
    assert {a.rendering.renderer for a in uow.db.articles.values()} == {"fake 1"}
    assert reading.rerender_articles(uow=uow, renderer=renderer, batch=2) == 3
    renderer.renderings = 0
    entry = reading.get_article(ids[1], uow=uow, renderer=renderer)
    assert (entry.article.rendering.html, renderer.renderings) == ("<p>v1</p>", 0)
    assert reading.rerender_articles(uow=uow, renderer=renderer) == 0
