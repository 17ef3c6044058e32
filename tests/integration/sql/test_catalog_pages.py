"""Catalog listings in SQL: keyset pages, the template search and its filters (CAT-1…6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.queries import list_features, list_provider_models, list_tags
from genmedia.application.catalog.templates import list_templates
from genmedia.application.commerce.purchases import list_credit_packs
from genmedia.application.pages import Page
from genmedia.application.ports import TemplateSearch
from genmedia.domain.catalog import MediaCategory, Tag
from genmedia.domain.provider_model import ModelCategory
from genmedia.domain.purchases import CreditPack
from genmedia.domain.template import Template
from tests.integration.sql.helpers import NOW, _feature, _model

pytestmark = pytest.mark.integration


def _template(feature_id: int, slug: str, **kw: Any) -> Template:
    return Template(feature_id=feature_id, name=slug.replace("-", " ").title(), slug=slug, **kw)


def _all_pages(read: Callable[..., Page[Any]], limit: int) -> list[list[Any]]:
    pages, after = [], None
    while True:
        page = read(after=after, limit=limit)
        pages.append(page.items)
        if page.next_after is None:
            return pages
        after = page.next_after


def test_features_tags_models_and_packs_page_through_their_order_once_each(
    engine: sa.Engine,
) -> None:
    with SqlUnitOfWork(engine) as uow:
        for i, order in enumerate([2, 0, 1, 0, 2]):
            uow.features.add(_feature(f"f{i}", order_index=order))
        uow.features.add(_feature("video", category=MediaCategory.VIDEO))
        for i, order in enumerate([1, 1, 0]):
            uow.tags.add(Tag(name=f"t{i}", sort_order=order))
        for i in range(3):
            uow.provider_models.add(_model(f"m{i}"))
        uow.provider_models.add(attrs.evolve(_model("t2i"), category=ModelCategory.T2I))
        for i, credits in enumerate([500, 100, 500]):
            uow.credit_packs.add(CreditPack(name=f"p{i}", credits=credits, price=1, currency="XTR"))
        uow.commit()

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    features = _all_pages(lambda **kw: list_features("image", uow=uow(), **kw), 2)
    assert [[f.name for f in page] for page in features] == [["f1", "f3"], ["f2", "f0"], ["f4"]]
    tags = _all_pages(lambda **kw: list_tags(uow=uow(), **kw), 2)
    assert [[t.name for t in page] for page in tags] == [["t2", "t0"], ["t1"]]
    models = _all_pages(lambda **kw: list_provider_models("i2i", uow=uow(), **kw), 2)
    assert [[m.model_slug for m in page] for page in models] == [["m0", "m1"], ["m2"]]
    packs = _all_pages(lambda **kw: list_credit_packs(uow=uow(), **kw), 1)
    assert [[p.name for p in page] for page in packs] == [["p1"], ["p0"], ["p2"]]


@pytest.fixture
def catalog(engine: sa.Engine, owner: tuple[int, int]) -> dict[str, Template]:
    """Templates of two features, with tags, scores, and some not listed."""
    with SqlUnitOfWork(engine) as uow:
        other = uow.features.add(_feature("other"))
        tag = uow.tags.add(Tag(name="Portrait"))
        made = [
            _template(owner[1], "studio", tags=["portrait", "photo"], tag_id=tag.id,
                      description="Soft 100% studio light", trend_score=40),
            _template(owner[1], "neon-city", tags=["city", "neon"], trend_score=90),
            _template(other.id or 0, "alpine", tags=["landscape"], description="Snow_peaks",
                      trend_score=40),
            _template(owner[1], "under_score", tags=["portrait"], trend_score=5),
            _template(owner[1], "off", tags=["portrait"], is_active=False, trend_score=99),
            _template(owner[1], "gone", tags=["portrait"], deleted_at=NOW, trend_score=99),
        ]  # fmt: skip
        found = {t.slug: uow.templates.add(t) for t in made}
        uow.commit()
    return found


def _search(engine: sa.Engine, **kw: Any) -> list[str]:
    page = list_templates(TemplateSearch(**kw), uow=SqlUnitOfWork(engine), limit=100)
    return [t.slug for t in page.items]


def test_the_template_search_filters_by_text_tags_tag_and_feature(
    engine: sa.Engine, owner: tuple[int, int], catalog: dict[str, Template]
) -> None:
    assert _search(engine) == ["under_score", "alpine", "neon-city", "studio"]
    assert _search(engine, q="NEON") == ["neon-city"]
    assert _search(engine, q="studio LIGHT") == ["studio"]
    assert _search(engine, q="100%") == ["studio"]
    assert _search(engine, q="_") == ["under_score", "alpine"]
    assert _search(engine, tag="portrait") == ["under_score", "studio"]
    assert _search(engine, tag="portrai") == []
    assert _search(engine, tag_id=catalog["studio"].tag_id) == ["studio"]
    assert _search(engine, feature_id=catalog["alpine"].feature_id) == ["alpine"]
    assert _search(engine, feature_id=owner[1], tag="portrait", q="score") == ["under_score"]


def test_trending_lists_by_score_then_newest_and_pages_on_both(
    engine: sa.Engine, catalog: dict[str, Template]
) -> None:
    assert _search(engine, trending=True) == ["neon-city", "alpine", "studio", "under_score"]
    pages = _all_pages(
        lambda **kw: list_templates(TemplateSearch(trending=True), uow=SqlUnitOfWork(engine), **kw),
        1,
    )
    assert [[t.slug for t in page] for page in pages] == [
        ["neon-city"], ["alpine"], ["studio"], ["under_score"]
    ]  # fmt: skip


def test_listed_templates_carry_their_fields_but_no_option_groups(
    engine: sa.Engine, catalog: dict[str, Template]
) -> None:
    (studio,) = list_templates(TemplateSearch(q="studio"), uow=SqlUnitOfWork(engine)).items
    assert (studio.tags, studio.trend_score, studio.option_groups) == (
        ["portrait", "photo"],
        40,
        (),
    )


def test_pages_stay_whole_while_templates_are_added_between_them(
    engine: sa.Engine, owner: tuple[int, int], catalog: dict[str, Template]
) -> None:
    first = list_templates(uow=SqlUnitOfWork(engine), limit=2)
    with SqlUnitOfWork(engine) as uow:
        uow.templates.add(_template(owner[1], "newer-1"))
        uow.templates.add(_template(owner[1], "newer-2"))
        uow.commit()
    rest = list_templates(uow=SqlUnitOfWork(engine), after=first.next_after, limit=100)
    assert [t.slug for t in first.items + rest.items] == [
        "under_score", "alpine", "neon-city", "studio"
    ]  # fmt: skip
    assert _search(engine)[:2] == ["newer-2", "newer-1"]
