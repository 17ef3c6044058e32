"""Operators' edits of catalog aggregates (domain) and the documents they send
(application/admin/documents.py): every rule refuses with the field named, changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from genmedia.application.admin.catalog_fields import FEATURE, TEMPLATE, state_of
from genmedia.application.admin.documents import read_document
from genmedia.domain import param_schema
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.errors import FieldError, IllegalTransition, InvalidInput, InvalidValue
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Option, OptionGroup, Template

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _template(**fields: Any) -> Template:
    return Template(feature_id=1, name="Seascape", slug="seascape", **fields)


def _named(
    error: pytest.ExceptionInfo[FieldError] | pytest.ExceptionInfo[InvalidInput],
) -> set[str]:
    return {e.field for e in error.value.field_errors()}


def test_a_feature_is_renamed_repriced_and_deactivated_by_its_acts() -> None:
    feature = Feature(name="Sketch", properties={"formats": ["png"]})
    feature.rename("Line art")
    feature.reprice(4)
    feature.deactivate()
    assert (feature.name, feature.cost_per_generation, feature.is_active) == ("Line art", 4, False)
    assert feature.properties["formats"] == ["png"]


def test_a_refused_edit_changes_nothing() -> None:
    feature = Feature(name="Sketch")
    before = state_of(feature)
    with pytest.raises(InvalidValue) as refused:
        feature.revise(description="drawn", name=" ")
    assert refused.value.field == "name"
    with pytest.raises(InvalidValue) as negative:
        feature.reprice(-1)
    assert negative.value.field == "properties.cost_per_generation"
    assert state_of(feature) == before


def test_only_the_editable_fields_of_a_feature_can_be_revised() -> None:
    with pytest.raises(InvalidValue) as refused:
        Feature(name="Sketch").revise(id=9)
    assert (refused.value.field, refused.value.message) == ("id", "cannot be changed")


def test_a_deleted_feature_is_restored_before_it_is_edited_or_deleted_again() -> None:
    feature = Feature(name="Sketch")
    feature.delete(NOW)
    for act in (lambda: feature.rename("x"), lambda: feature.delete(NOW)):
        with pytest.raises(IllegalTransition):
            act()
    feature.restore()
    assert feature.deleted_at is None
    with pytest.raises(IllegalTransition):
        feature.restore()


def test_a_template_keeps_its_rules_through_an_edit() -> None:
    template = _template(price=3)
    for changes, field in [
        ({"price": -1}, "price"),
        ({"slug": "2024"}, "slug"),
        ({"slug": "-sea"}, "slug"),
        ({"name": ""}, "name"),
    ]:  # fmt: skip
        with pytest.raises(InvalidValue) as refused:
            template.revise(**changes)
        assert refused.value.field == field
    assert (template.price, template.slug) == (3, "seascape")


def test_a_template_offers_the_option_groups_it_is_given_in_place_of_its_own() -> None:
    template = _template(option_groups=[OptionGroup(group_name="a", label="A", options=[])])
    calm = Option(value="calm", label="Calm", is_default=True)
    template.replace_option_groups([OptionGroup(group_name="mood", label="Mood", options=[calm])])
    assert [g.group_name for g in template.option_groups] == ["mood"]
    twice = OptionGroup(group_name="mood", label="Mood", options=[calm])
    with pytest.raises(InvalidValue):
        template.replace_option_groups([twice, twice])
    assert len(template.option_groups) == 1


def test_a_tag_is_renamed_and_deactivated_but_not_emptied() -> None:
    tag = Tag(name="Noir")
    tag.rename("Film noir")
    tag.deactivate()
    assert (tag.name, tag.is_active) == ("Film noir", False)
    with pytest.raises(InvalidValue):
        tag.rename("")


def test_a_provider_model_takes_only_limits_and_schemas_it_can_enforce() -> None:
    model = ProviderModel(provider="local", model_slug="m", label="M")
    model.reprice(5)
    assert model.cost_per_use == 5
    for changes, field in [
        ({"cost_per_use": -1}, "cost_per_use"),
        ({"limits": {"max_pixels": 0}}, "limits.max_pixels"),
        ({"param_schema": {"type": "object", "not": {}}}, "param_schema"),
        ({"param_schema": {"properties": {"a": {"pattern": "["}}}},
         "param_schema.properties.a.pattern"),
        ({"param_schema": {"items": [{"type": "string"}]}}, "param_schema.items"),
        ({"param_schema": {"required": "a"}}, "param_schema.required"),
        ({"param_schema": {"multipleOf": 0}}, "param_schema.multipleOf"),
    ]:  # fmt: skip
        with pytest.raises(InvalidValue) as refused:
            model.revise(**changes)
        assert refused.value.field == field
    model.deactivate()
    assert (model.is_active, model.cost_per_use) == (False, 5)


def test_every_schema_the_checker_accepts_validates_params_without_crashing() -> None:
    schema = {
        "type": "object",
        "properties": {
            "seed": {"type": ["integer", "null"], "minimum": 0},
            "style": {"enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
        },
        "required": ["seed"],
    }
    param_schema.check_schema(schema)
    errors = param_schema.validate({"seed": -1, "style": "c", "tags": ["A"]}, schema)
    assert {e.field for e in errors} == {"params.seed", "params.style", "params.tags[0]"}


def test_a_document_names_every_bad_field_at_once_nested_ones_by_their_path() -> None:
    document = {
        "name": 3,
        "slug": "ok",
        "colour": "red",
        "option_groups": [{"group_name": "g", "label": "G", "options": [{"value": ""}]}],
        "trend_start_date": "2026-01-01T00:00:00",
    }
    with pytest.raises(InvalidInput) as refused:
        read_document(document, TEMPLATE, creating=True)
    assert _named(refused) == {
        "name", "colour", "feature_id", "option_groups.0.options.0.label", "trend_start_date",
    }  # fmt: skip


def test_an_update_document_needs_no_field_but_refuses_nulls_where_a_value_is_needed() -> None:
    assert read_document({}, FEATURE, creating=False) == {}
    assert read_document({"description": None}, FEATURE, creating=False) == {"description": None}
    with pytest.raises(InvalidValue) as refused:
        read_document({"is_active": None}, FEATURE, creating=False)
    assert refused.value.field == "is_active"
