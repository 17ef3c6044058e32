"""Model sync (SPEC CAT-5): a provider's published schema narrowed, stored, and enforced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.adapters.providers.openapi import input_params, resolved
from genmedia.application.catalog.model_sync import sync_model_schema
from genmedia.application.errors import ProviderError
from genmedia.domain import param_schema
from genmedia.domain.errors import InvalidValue, NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.published_schema import narrowed
from tests.fakes import FakeClock, FakeSchemaSource, FakeUnitOfWork

SIZES = ["square_hd", "landscape_4_3", "landscape_16_9"]
IMAGE_SIZE = {
    "title": "Image Size",
    "default": "landscape_4_3",
    "anyOf": [
        {
            "type": "object",
            "title": "ImageSize",
            "x-fal-order-properties": ["width", "height"],
            "properties": {
                "width": {"type": "integer", "exclusiveMinimum": 0, "maximum": 14142},
                "height": {"type": "integer", "exclusiveMinimum": 0, "maximum": 14142},
            },
        },
        {"enum": SIZES, "type": "string"},
    ],
}
PUBLISHED = {
    "type": "object",
    "properties": {
        "image_size": IMAGE_SIZE,
        "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 50, "default": 28},
    },
}


def messages(value: Any, schema: dict[str, Any]) -> list[str]:
    return [str(error) for error in param_schema.validate(value, schema)]


def test_a_cog_enum_merged_from_all_of_keeps_its_values_default_and_description() -> None:
    published = {
        "allOf": [{"enum": ["1:1", "16:9"], "type": "string", "description": "An enumeration."}],
        "default": "1:1",
        "x-order": 3,
        "description": "Aspect ratio",
    }

    assert narrowed(published) == {
        "enum": ["1:1", "16:9"],
        "type": "string",
        "default": "1:1",
        "description": "Aspect ratio",
    }


def test_an_any_of_with_a_null_branch_becomes_a_nullable_type() -> None:
    assert narrowed({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Seed"}) == {
        "type": ["integer", "null"],
        "title": "Seed",
    }


def test_a_size_or_preset_choice_stays_an_any_of_that_names_the_field_it_refuses() -> None:
    schema = narrowed(PUBLISHED)

    assert messages({"image_size": "landscape_16_9"}, schema) == []
    assert messages({"image_size": {"width": 640, "height": 480}}, schema) == []
    assert messages({"image_size": "wide"}, schema) == [
        f"params.image_size: must be one of {SIZES}"
    ]
    assert messages({"image_size": {"width": 0}}, schema) == [
        "params.image_size.width: must be above 0"
    ]
    assert messages({"image_size": 3}, schema) == [
        "params.image_size: must be of type object or one of "
        "['square_hd', 'landscape_4_3', 'landscape_16_9']"
    ]


def test_openapi_3_0_nullable_and_boolean_exclusive_bounds_take_the_json_schema_form() -> None:
    published = {
        "type": "number",
        "nullable": True,
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1,
        "exclusiveMaximum": False,
    }

    assert narrowed(published) == {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 1}


def test_keywords_the_validator_cannot_enforce_are_dropped_so_nothing_is_tightened() -> None:
    published = {
        "type": ["string", "uri"],
        "format": "uri",
        "examples": ["https://example.com/a.png"],
        "x-fal": {"max_width": 3840},
        "not": {"const": ""},
        "pattern": "(?<name>unclosed",
        "maxLength": "long",
        "$ref": "#/components/schemas/Missing",
    }

    assert narrowed(published) == {"type": "string"}


def test_a_default_the_narrowed_schema_refuses_is_dropped_so_it_is_never_sent() -> None:
    published = {
        "type": "object",
        "properties": {
            "scheduler": {"enum": ["K_EULER", "DDIM"], "type": "string", "default": "PNDM"},
            "steps": {"type": "integer", "default": 4},
        },
    }

    assert param_schema.defaults(narrowed(published)) == {"steps": 4}


KEYWORDS = [*sorted(param_schema.SUPPORTED), "allOf", "oneOf", "nullable", "format", "$ref", "not"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(KEYWORDS),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["type", "anyOf", "allOf", "properties"]), JSON), JSON)
def test_whatever_a_provider_publishes_narrows_to_a_schema_the_validator_accepts(
    published: dict[str, Any], value: Any
) -> None:
    schema = narrowed(published)

    param_schema.check_schema(schema)
    param_schema.validate(value, schema)


def test_syncing_a_schema_replaces_the_param_schema_and_stamps_when() -> None:
    model = ProviderModel(provider="fal", model_slug="fal-ai/flux/dev", label="FLUX dev")
    now = datetime(2026, 3, 1, tzinfo=UTC)

    model.sync_schema(PUBLISHED, now)

    assert (model.param_schema, model.synced_at) == (narrowed(PUBLISHED), now)
    assert model.resolve_params({}) == {"image_size": "landscape_4_3", "num_inference_steps": 28}


def test_a_published_schema_that_does_not_describe_an_object_is_refused() -> None:
    model = ProviderModel(provider="fal", model_slug="fal-ai/flux/dev", label="FLUX dev")

    with pytest.raises(InvalidValue, match="param_schema"):
        model.sync_schema({"type": "string"}, datetime(2026, 3, 1, tzinfo=UTC))

    assert (model.param_schema, model.synced_at) == ({}, None)


def test_resolving_references_inlines_them_under_their_siblings_and_cuts_cycles() -> None:
    document = {
        "components": {
            "schemas": {
                "ratio": {"enum": ["1:1"], "type": "string", "description": "An enumeration."},
                "Node": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Node"}},
                },
            }
        }
    }

    assert resolved({"$ref": "#/components/schemas/ratio", "description": "Ratio"}, document) == {
        "enum": ["1:1"],
        "type": "string",
        "description": "Ratio",
    }
    assert resolved({"$ref": "#/components/schemas/Node"}, document) == {
        "type": "object",
        "properties": {"child": {}},
    }


def test_input_params_drop_what_the_adapter_fills_and_pin_what_genmedia_fixes() -> None:
    schema = {
        "type": "object",
        "required": ["prompt", "image", "style"],
        "properties": {
            "prompt": {"type": "string"},
            "image": {"type": "string", "format": "uri"},
            "style": {"type": "string"},
            "num_outputs": {"type": "integer", "maximum": 4, "title": "Num Outputs"},
        },
    }

    params = input_params(
        schema, owned={"prompt"}, fixed={"num_outputs": 1}, is_file=lambda s: "format" in s
    )

    assert params == {
        "type": "object",
        "required": ["style"],
        "properties": {
            "style": {"type": "string"},
            "num_outputs": {"title": "Num Outputs", "const": 1},
        },
    }


def _catalog(*models: ProviderModel) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    with uow:
        for model in models:
            uow.provider_models.add(model)
        uow.commit()
    return uow


def _flux(provider: str = "fal") -> ProviderModel:
    return ProviderModel(provider=provider, model_slug="fal-ai/flux/dev", label="FLUX dev")


def test_sync_stores_the_schema_it_fetched_outside_any_transaction() -> None:
    uow, clock = _catalog(_flux()), FakeClock()
    source = FakeSchemaSource("fal", {"fal-ai/flux/dev": PUBLISHED}, lambda: uow.in_block)

    synced = sync_model_schema(
        "fal", "fal-ai/flux/dev", sources={"fal": source}, uow=uow, clock=clock
    )

    with uow:
        stored = uow.provider_models.get_by_slug("fal-ai/flux/dev")
    assert stored is not None
    assert (stored.param_schema, stored.synced_at) == (narrowed(PUBLISHED), clock.now())
    assert synced.param_schema == stored.param_schema
    assert source.fetched == [("fal-ai/flux/dev", False)]


def test_a_request_param_the_synced_schema_refuses_is_an_error_naming_the_field() -> None:
    uow, clock = _catalog(_flux()), FakeClock()
    source = FakeSchemaSource("fal", {"fal-ai/flux/dev": PUBLISHED})

    synced = sync_model_schema(
        "fal", "fal-ai/flux/dev", sources={"fal": source}, uow=uow, clock=clock
    )

    refused = synced.check_params(synced.resolve_params({"num_inference_steps": 80}), 1, "a cat")
    accepted = synced.check_params(synced.resolve_params({"num_inference_steps": 40}), 1, "a cat")
    assert [str(error) for error in refused] == ["params.num_inference_steps: must be at most 50"]
    assert accepted == []


@pytest.mark.parametrize("catalog", [(), (_flux("replicate"),)], ids=["absent", "other provider"])
def test_sync_of_a_model_the_catalog_has_not_for_that_provider_fetches_nothing(
    catalog: tuple[ProviderModel, ...],
) -> None:
    uow = _catalog(*catalog)
    source = FakeSchemaSource("fal", {"fal-ai/flux/dev": PUBLISHED})

    with pytest.raises(NotFound, match="fal model 'fal-ai/flux/dev'"):
        sync_model_schema(
            "fal", "fal-ai/flux/dev", sources={"fal": source}, uow=uow, clock=FakeClock()
        )

    assert source.fetched == []


def test_sync_for_a_provider_without_a_schema_source_says_it_is_not_configured() -> None:
    uow = _catalog(_flux())

    with pytest.raises(ProviderError) as raised:
        sync_model_schema("fal", "fal-ai/flux/dev", sources={}, uow=uow, clock=FakeClock())

    assert raised.value.code == "provider_not_configured"


def test_a_schema_the_provider_cannot_give_leaves_the_model_as_it_was() -> None:
    uow = _catalog(_flux())
    source = FakeSchemaSource("fal", {})

    with pytest.raises(ProviderError):
        sync_model_schema(
            "fal", "fal-ai/flux/dev", sources={"fal": source}, uow=uow, clock=FakeClock()
        )

    with uow:
        stored = uow.provider_models.get_by_slug("fal-ai/flux/dev")
    assert stored is not None
    assert (stored.param_schema, stored.synced_at) == ({}, None)


@pytest.mark.parametrize("branches", [[], "string", [{"type": "string"}, "null"]])
def test_a_hand_written_any_of_that_is_not_a_list_of_schemas_is_refused(branches: Any) -> None:
    with pytest.raises(InvalidValue, match=r"param_schema\.properties\.size\.anyOf"):
        param_schema.check_schema({"properties": {"size": {"anyOf": branches}}})


def test_nested_all_of_parts_are_merged_and_a_schemas_own_bound_wins() -> None:
    published = {
        "maximum": 10,
        "allOf": [{"allOf": [{"type": "integer", "minimum": 1}]}, {"maximum": 99}],
    }

    assert narrowed(published) == {"maximum": 10, "type": "integer", "minimum": 1}
