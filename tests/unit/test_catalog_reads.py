"""Reading the catalog: features, tags, provider models and templates, in pages (CAT-1…6)."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from genmedia.application.catalog.queries import (
    get_feature,
    list_features,
    list_provider_models,
    list_tags,
)
from genmedia.application.catalog.templates import list_templates, view_template
from genmedia.application.catalog.trends import refresh_trends
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import estimate_request, submit_request
from genmedia.application.pages import MAX_LIMIT
from genmedia.application.ports import TemplateSearch
from genmedia.domain.catalog import Feature, MediaCategory
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.template import Template
from genmedia.domain.trending import TrendFormula
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeUnitOfWork


def slugs(templates: list[Template]) -> list[str]:
    return [t.slug for t in templates]


def every_page(read, limit: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The slugs of each page, reading on from each page's key until the last."""
    pages, after = [], None
    while True:
        page = read(after=after, limit=limit)
        pages.append(slugs(page.items))
        if page.next_after is None:
            return pages
        after = page.next_after


def test_features_list_active_ones_by_order_index_and_by_category(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.features.add(Feature(name="Off", is_active=False))
        uow.features.add(Feature(name="Clip", category=MediaCategory.VIDEO, order_index=5))
        uow.commit()
    listed = list_features(uow=uow)
    assert [f.name for f in listed.items] == ["Text to image", "Image edit", "Clip"]
    assert listed.next_after is None
    videos = list_features("video", uow=uow)
    assert [f.name for f in videos.items] == ["Clip"]
    first = list_features(uow=uow, limit=1)
    rest = list_features(uow=uow, after=first.next_after, limit=MAX_LIMIT)
    assert [f.name for f in first.items + rest.items] == ["Text to image", "Image edit", "Clip"]


def test_an_unknown_category_is_refused_naming_it(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidValue) as refused:
        list_features("hologram", uow=uow)
    assert refused.value.field == "category"
    with pytest.raises(InvalidValue):
        list_provider_models("t3i", uow=uow)


def test_an_inactive_or_unknown_feature_is_not_found(uow: FakeUnitOfWork) -> None:
    with uow:
        off = uow.features.add(Feature(name="Off", is_active=False))
        uow.commit()
    text = next(f for f in uow.db.features.values() if f.name == "Text to image")
    assert get_feature(text.id or 0, uow=uow).name == "Text to image"
    with pytest.raises(NotFound):
        get_feature(off.id or 0, uow=uow)
    with pytest.raises(NotFound):
        get_feature(10_000, uow=uow)


def test_tags_and_provider_models_are_listed_in_their_order(uow: FakeUnitOfWork) -> None:
    assert [t.name for t in list_tags(uow=uow).items] == ["Portrait", "Landscape", "Fantasy"]
    models = list_provider_models(uow=uow).items
    assert [m.model_slug for m in models] == [
        "local-t2i", "local-t2i-async", "local-i2i", "google/gemini-2.5-flash-image",
        "black-forest-labs/flux-schnell", "black-forest-labs/flux-dev-lora", "fal-ai/flux/dev",
        "fal-ai/flux-lora", "flux-pro-1.1",
    ]  # fmt: skip
    edits = list_provider_models("i2i", uow=uow).items
    assert [m.model_slug for m in edits] == ["local-i2i"]


def test_templates_are_newest_first_and_pages_meet_without_overlap(uow: FakeUnitOfWork) -> None:
    assert every_page(lambda **kw: list_templates(uow=uow, **kw), 3) == [
        ["headshot-session", "bfl-product-shot", "fal-golden-hour"],
        ["quick-concept-art", "travel-poster", "restyle-photo"],
        ["alpine-landscape", "neon-city", "studio-portrait"],
    ]
    assert list_templates(uow=uow).items[0].option_groups == ()


def test_templates_are_found_by_text_tag_tag_id_and_feature(uow: FakeUnitOfWork) -> None:
    portrait_tag = next(t for t in uow.db.tags.values() if t.name == "Portrait")
    edit = next(f for f in uow.db.features.values() if f.name == "Image edit")

    def found(**search: object) -> list[str]:
        return slugs(list_templates(TemplateSearch(**search), uow=uow).items)  # type: ignore[arg-type]

    assert found(q="  ALPINE ") == ["alpine-landscape"]
    assert found(q="seed 003") == ["studio-portrait"]
    assert found(q="   ") == slugs(list_templates(uow=uow).items)
    assert found(tag="neon") == ["neon-city"]
    assert found(tag_id=portrait_tag.id) == [
        "headshot-session", "bfl-product-shot", "studio-portrait"
    ]  # fmt: skip
    assert found(feature_id=edit.id) == ["headshot-session", "restyle-photo"]
    assert found(tag="city", q="alpine") == []


def test_trending_lists_by_the_stored_trend_score_and_pages_by_it(uow: FakeUnitOfWork) -> None:
    scores = {"neon-city": 50, "alpine-landscape": 50, "studio-portrait": 900}
    for template in uow.db.templates.values():
        template.trend_score = scores.get(template.slug, 0)
    trending = TemplateSearch(trending=True)
    assert every_page(lambda **kw: list_templates(trending, uow=uow, **kw), 2) == [
        ["studio-portrait", "alpine-landscape"],
        ["neon-city", "headshot-session"],
        ["bfl-product-shot", "fal-golden-hour"],
        ["quick-concept-art", "travel-poster"],
        ["restyle-photo"],
    ]


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, 10**30])
def test_a_limit_outside_one_to_a_hundred_is_refused(uow: FakeUnitOfWork, limit: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        list_templates(uow=uow, limit=limit)
    assert refused.value.field == "limit"


@pytest.mark.parametrize("after", [(1, 2), (), ("1",), (True,), (2**63,)])
def test_a_key_of_another_list_is_refused_as_a_bad_cursor(uow: FakeUnitOfWork, after) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValue) as refused:
        list_templates(uow=uow, after=after)
    assert refused.value.field == "cursor"


def test_an_overlong_search_is_refused_naming_it(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidValue) as refused:
        list_templates(TemplateSearch(q="x" * 201), uow=uow)
    assert refused.value.field == "q"


def test_viewing_a_template_by_id_or_slug_counts_one_view_each(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    template = view_template("neon-city", uow=uow, clock=clock)
    again = view_template(template.id or 0, uow=uow, clock=clock)
    assert (template.view_count, again.view_count) == (1, 2)
    assert uow.db.templates[template.id or 0].view_count == 2
    assert [g.group_name for g in again.option_groups] != []


def test_an_inactive_deleted_or_unknown_template_is_not_found_and_not_counted(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    neon = next(t for t in uow.db.templates.values() if t.slug == "neon-city")
    alpine = next(t for t in uow.db.templates.values() if t.slug == "alpine-landscape")
    uow.db.templates[neon.id or 0] = attrs.evolve(neon, is_active=False)
    uow.db.templates[alpine.id or 0] = attrs.evolve(alpine, deleted_at=clock.now())
    for key in ("neon-city", neon.id or 0, alpine.id or 0, "nope", 10_000):
        with pytest.raises(NotFound):
            view_template(key, uow=uow, clock=clock)
    assert uow.db.activity == {}


def test_each_submitted_request_adds_a_use_and_an_estimate_adds_none(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    cmd = SubmitRequest(user_id=user.id or 0, template="neon-city", user_prompt="rain")
    estimate_request(cmd, uow=uow, clock=clock)
    submit_request(cmd, uow=uow, clock=clock)
    submit_request(cmd, uow=uow, clock=clock)
    neon = next(t for t in uow.db.templates.values() if t.slug == "neon-city")
    assert neon.usage_count == 2
    assert [a.uses for a in uow.db.activity.values()] == [2]


def test_the_periodic_refresh_scores_recent_activity_and_lets_old_activity_go(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    formula = TrendFormula(window=timedelta(days=2), half_life=timedelta(days=1))
    view_template("alpine-landscape", uow=uow, clock=clock)
    submit_request(
        SubmitRequest(user_id=user.id or 0, template="neon-city", user_prompt="rain"),
        uow=uow,
        clock=clock,
    )
    assert refresh_trends(uow=uow, clock=clock, formula=formula) == 2
    trending = list_templates(TemplateSearch(trending=True), uow=uow).items
    assert [(t.slug, t.trend_score) for t in trending[:2]] == [
        ("neon-city", 500),
        ("alpine-landscape", 100),
    ]
    assert refresh_trends(uow=uow, clock=clock, formula=formula) == 0
    clock.advance(timedelta(days=1).total_seconds())
    refresh_trends(uow=uow, clock=clock, formula=formula)
    assert {t.slug: t.trend_score for t in uow.db.templates.values()}["neon-city"] == 250
    clock.advance(timedelta(days=1, hours=1).total_seconds())
    refresh_trends(uow=uow, clock=clock, formula=formula)
    assert {t.trend_score for t in uow.db.templates.values()} == {0}
    assert uow.db.activity == {}
