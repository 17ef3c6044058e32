"""The SQL template repository: option groups, options and image slots."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import Tag
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.template import ImageSlot, Option, OptionGroup
from tests.integration.sql.helpers import NOW, _template

pytestmark = pytest.mark.integration


def test_a_template_round_trips_with_options_slots_and_tags(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    with SqlUnitOfWork(engine) as uow:
        tag = uow.tags.add(Tag(name="viral"))
        template = _template(owner[1])
        template.tag_id = tag.id
        uow.templates.add(template)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.templates.get(template.id or 0)
    assert [g.group_name for g in loaded.option_groups] == ["backgrounds", "hairColor"]
    assert loaded.option_groups == template.option_groups
    assert all(o.id is not None for g in loaded.option_groups for o in g.options)
    assert loaded.image_slots == (ImageSlot(name="face", label="A face photo", min=1, max=5),)
    assert loaded.tags == ["viral", "summer"]
    assert loaded.tag_id == tag.id
    assert loaded.template_data == {"style": "modern", "colors": ["red"]}
    assert (loaded.price, loaded.system_images, loaded.trend_start_date) == (
        5,
        ["s3://refs/a.png"],
        NOW,
    )
    assert loaded.choose_options({})[0][0].value == "black"


def test_templates_load_their_groups_and_options_in_order_empty_groups_included(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    def option(value: str, order: int) -> Option:
        return Option(value=value, label=value.title(), sort_order=order)

    first, second = _template(owner[1], "first"), _template(owner[1], "second")
    first.option_groups = [
        OptionGroup(group_name="mood", label="Mood", sort_order=2, options=[option("calm", 1)]),
        OptionGroup(group_name="empty", label="Nothing yet", sort_order=1, options=[]),
        OptionGroup(
            group_name="light",
            label="Light",
            sort_order=3,
            options=[option("dusk", 2), option("noon", 1), option("dawn", 3)],
        ),
    ]
    second.option_groups = []
    with SqlUnitOfWork(engine) as uow:
        uow.templates.add(first)
        uow.templates.add(second)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = {t.slug: t for t in uow.templates.list_active()}
    groups = loaded["first"].option_groups
    assert [(g.group_name, [o.value for o in g.options]) for g in groups] == [
        ("empty", []),
        ("mood", ["calm"]),
        ("light", ["noon", "dusk", "dawn"]),
    ]
    assert loaded["second"].option_groups == ()


def test_templates_are_unique_by_slug_and_listed_when_active_and_live(
    engine: sa.Engine, owner: tuple[int, int]
) -> None:
    with SqlUnitOfWork(engine) as uow:
        kept = uow.templates.add(_template(owner[1], "kept"))
        gone = _template(owner[1], "gone")
        gone.deleted_at = NOW
        uow.templates.add(gone)
        with pytest.raises(AlreadyExists):
            uow.templates.add(_template(owner[1], "kept"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [t.id for t in uow.templates.list_active(owner[1])] == [kept.id]
        assert uow.templates.list_active(owner[1] + 1) == []
        assert uow.templates.get_by_slug("gone") is None
        assert uow.templates.get(gone.id or 0).deleted_at == NOW
