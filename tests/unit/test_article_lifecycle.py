"""The article aggregate (SPEC CNT-1): its lifecycle, its fields and its slug."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.article import Article, ArticleStatus, Rendering, check_fields
from genmedia.domain.errors import IllegalTransition, InvalidInput, InvalidValue
from genmedia.domain.slug import MAX_SLUG, check_slug, slug_candidates, slug_of
from genmedia.domain.user import User

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HTML = Rendering("<p>Hi</p>", "test")
DRAFT, PUBLISHED, ARCHIVED = ArticleStatus.DRAFT, ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED
# Each act, and the status it moves to from each status it is allowed in.
MOVES = {
    "publish": {DRAFT: PUBLISHED},
    "unpublish": {PUBLISHED: DRAFT},
    "archive": {DRAFT: ARCHIVED, PUBLISHED: ARCHIVED},
    "restore": {ARCHIVED: DRAFT},
}


def admin() -> User:
    return User(id=1, email="ed@example.com", is_admin=True)


def draft(content: str = "Hi") -> Article:
    return Article.written_by(
        admin(), title="Title", slug="title", content=content, rendering=HTML, now=T0
    )


def test_a_new_article_is_a_draft_by_an_admin_not_yet_published() -> None:
    article = draft()
    assert (article.status, article.author_id, article.publication_date) == (DRAFT, 1, None)
    assert (article.last_modified, article.is_public) == (T0, False)


def test_only_an_admin_may_author_an_article() -> None:
    with pytest.raises(InvalidValue) as refused:
        Article.written_by(
            User(id=2, email="u@example.com"), title="T", slug="t", content="", rendering=HTML,
            now=T0,
        )  # fmt: skip
    assert refused.value.field == "author_id"


@given(st.lists(st.sampled_from(sorted(MOVES)), max_size=12))
def test_every_act_moves_as_the_lifecycle_allows_and_the_first_publication_dates_it(
    acts: list[str],
) -> None:
    article, now, first_published = draft(), T0, None
    for act in acts:
        now += timedelta(minutes=1)
        before = article.status
        target = MOVES[act].get(before)
        if target is None:
            with pytest.raises(IllegalTransition):
                getattr(article, act)(now)
            assert article.status is before
            continue
        getattr(article, act)(now)
        assert (article.status, article.last_modified) == (target, now)
        if target is PUBLISHED and first_published is None:
            first_published = now
        assert article.publication_date == first_published
        assert article.is_public == (target is PUBLISHED)


def test_an_article_without_content_cannot_be_published_or_emptied_while_published() -> None:
    empty = draft(content="  \n")
    with pytest.raises(InvalidValue) as refused:
        empty.publish(T0)
    assert (refused.value.field, empty.status) == ("content", DRAFT)
    article = draft()
    article.publish(T0)
    with pytest.raises(InvalidValue):
        article.revise(T0, content=("", HTML))
    assert article.content == "Hi"


def test_a_revision_changes_only_what_it_names_and_dates_the_change() -> None:
    article = draft()
    later = T0 + timedelta(hours=1)
    assert article.revise(
        later, title="  New   title ", content=("**x**", Rendering("<b>x</b>", "t"))
    )
    assert (article.title, article.slug, article.content) == ("New title", "title", "**x**")
    assert (article.rendering.html, article.last_modified) == ("<b>x</b>", later)
    assert not article.revise(
        later + timedelta(hours=1), title="New title", content=("**x**", HTML)
    )
    assert (article.rendering.html, article.last_modified) == ("<b>x</b>", later)


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_fields(title="", slug="No Slug", content="\x00")
    assert [e.field for e in refused.value.errors] == ["title", "slug", "content"]
    with pytest.raises(InvalidValue, match="title"):
        check_fields(title="x" * 201)
    check_fields(title="Fine", slug=None, content=None)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("Ảnh chân dung đẹp nhất 2026", "anh-chan-dung-dep-nhat-2026"),
        ("Straße & Œuvre", "strasse-oeuvre"),
        ("画像", "article"),
        ("  --  ", "article"),
    ],
)
def test_a_slug_made_from_a_title_is_readable_ascii(title: str, slug: str) -> None:
    assert slug_of(title) == slug


@given(st.text(max_size=400))
def test_a_slug_made_from_any_title_is_a_valid_slug(title: str) -> None:
    assert check_slug(slug_of(title)) == slug_of(title)


def test_slug_candidates_number_the_base_and_stay_within_the_limit() -> None:
    assert list(slug_candidates("a", 3)) == ["a", "a-2", "a-3"]
    longest = "x" * MAX_SLUG
    assert all(len(check_slug(s)) <= MAX_SLUG for s in slug_candidates(longest, 12))


@pytest.mark.parametrize("slug", ["", "A", "a--b", "-a", "a-", "a b", "é", "x" * (MAX_SLUG + 1)])
def test_a_malformed_slug_is_refused_by_name(slug: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_slug(slug)
    assert refused.value.field == "slug"
