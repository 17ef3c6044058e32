"""The SQL catalog repositories: features, tags and provider models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import MediaCategory, Tag
from genmedia.domain.errors import AlreadyExists
from genmedia.domain.provider_model import ModelCategory
from tests.integration.sql.helpers import NOW, SCHEMA, _feature, _model

pytestmark = pytest.mark.integration


def test_features_round_trip_and_active_ones_list_by_category_then_order(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        second = uow.features.add(_feature("b", order_index=2))
        first = uow.features.add(_feature("a", order_index=1))
        uow.features.add(_feature("video", category=MediaCategory.VIDEO))
        uow.features.add(_feature("off", is_active=False))
        uow.features.add(_feature("gone", deleted_at=NOW))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        images = uow.features.list_active(MediaCategory.IMAGE)
        everything = uow.features.list_active()
        loaded = uow.features.get(first.id or 0)
        assert uow.features.get_by_name("gone") is None
        assert uow.features.get_by_name("a") is not None
    assert [f.id for f in images] == [first.id, second.id]
    assert {f.name for f in everything} == {"a", "b", "video"}
    assert loaded.properties == {"cost_per_generation": 3}
    assert loaded.cost_per_generation == 3
    assert loaded.system_prompt == "be kind"


def test_tags_are_unique_by_name_and_listed_by_sort_order(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.tags.add(Tag(name="summer", sort_order=2, color_from="#f00", color_to="#0f0"))
        uow.tags.add(Tag(name="viral", sort_order=1))
        uow.tags.add(Tag(name="hidden", is_active=False))
        with pytest.raises(AlreadyExists):
            uow.tags.add(Tag(name="viral"))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert [t.name for t in uow.tags.list()] == ["viral", "summer"]
        summer = uow.tags.get_by_name("summer")
    assert summer is not None
    assert (summer.color_from, summer.color_to) == ("#f00", "#0f0")


def test_a_provider_model_round_trips_with_its_json_schema(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        model = uow.provider_models.add(_model())
        uow.provider_models.add(_model("flux-pro", default=True))
        with pytest.raises(AlreadyExists):
            uow.provider_models.add(_model())
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.provider_models.get(model.id or 0)
        default = uow.provider_models.get_default()
        by_slug = uow.provider_models.get_by_slug("flux-dev")
    assert loaded.param_schema == SCHEMA
    assert loaded.limits == {"max_batch_size": 4}
    assert loaded.category is ModelCategory.I2I
    assert loaded.cost_per_use == 2
    assert loaded.resolve_params() == {"steps": 28}
    assert default is not None
    assert default.model_slug == "flux-pro"
    assert by_slug is not None
    assert by_slug.id == model.id


def test_no_default_provider_model_is_none(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.provider_models.add(_model())
        assert uow.provider_models.get_default() is None
