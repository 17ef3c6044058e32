"""Seeding the sample catalog from its data file (SPEC CAT-8)."""

from __future__ import annotations

import pytest

from genmedia.application.catalog.model_sync import sync_model_schema
from genmedia.application.catalog.seeding import SeedReport, seed_catalog
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from tests.fakes import FakeClock, FakeHasher, FakeSchemaSource, FakeUnitOfWork


def _seeded() -> tuple[FakeUnitOfWork, FakeClock, SeedReport]:
    uow, clock = FakeUnitOfWork(), FakeClock()
    report = seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="a@example.com")
    return uow, clock, report


def test_the_first_seed_adds_the_whole_sample_catalog_and_a_second_adds_nothing() -> None:
    uow, clock, first = _seeded()

    again = seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="a@example.com")

    assert first == SeedReport(provider_models=9, features=2, tags=3, templates=9, credit_packs=3)
    assert again == SeedReport(provider_models=0, features=0, tags=0, templates=0, credit_packs=0)


def test_a_seeded_feature_runs_on_the_model_its_data_names_and_is_dated_by_the_clock() -> None:
    uow, clock, _ = _seeded()

    with uow:
        feature = uow.features.get_by_name("Image edit")
        model = uow.provider_models.get_by_slug("local-i2i")

    assert feature is not None
    assert model is not None
    assert (feature.provider_model_id, feature.created_at) == (model.id, clock.now())
    assert feature.cost_per_generation == 1


def test_a_seeded_template_is_linked_to_its_feature_model_and_tag_with_its_options() -> None:
    uow, clock, _ = _seeded()

    with uow:
        template = uow.templates.get_by_slug("studio-portrait")
        feature = uow.features.get_by_name("Text to image")
        model = uow.provider_models.get_by_slug("local-t2i-async")
        tag = uow.tags.get_by_name("Portrait")

    assert template is not None
    assert feature is not None
    assert model is not None
    assert tag is not None
    assert (template.feature_id, template.provider_model_id, template.tag_id) == (
        feature.id,
        model.id,
        tag.id,
    )
    assert template.created_at == clock.now()
    assert [g.group_name for g in template.option_groups][:2] == ["aspectRatio", "glasses"]
    assert template.resolved_selection({}) == {
        "aspectRatio": "1:1",
        "glasses": "no",
        "hairColor": "default",
        "hairStyle": "no-preference",
    }


# For each real provider: its sample model, and the sample template that runs on it.
REAL_PROVIDERS = {
    "bfl": ("flux-pro-1.1", "bfl-product-shot"),
    "fal": ("fal-ai/flux/dev", "fal-golden-hour"),
    "replicate": ("black-forest-labs/flux-schnell", "quick-concept-art"),
    "openrouter": ("google/gemini-2.5-flash-image", "travel-poster"),
}


def test_the_seed_loads_a_model_and_a_template_on_it_for_each_real_provider() -> None:
    uow, _, _ = _seeded()

    with uow:
        found = {
            provider: (uow.provider_models.get_by_slug(slug), uow.templates.get_by_slug(template))
            for provider, (slug, template) in REAL_PROVIDERS.items()
        }

    for provider, (model, template) in found.items():
        assert model is not None, provider
        assert template is not None, provider
        assert (model.provider, template.provider_model_id) == (provider, model.id)
        assert model.param_schema["additionalProperties"] is False
        assert model.limits["max_batch_size"] >= 1
        assert model.cost_per_use > 0


@pytest.mark.parametrize("provider", sorted(REAL_PROVIDERS))
def test_each_real_providers_template_is_accepted_as_is_and_runs_at_that_provider(
    provider: str,
) -> None:
    uow, clock, _ = _seeded()
    user = create_user(
        CreateUser(email="ann@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )
    slug, template = REAL_PROVIDERS[provider]

    request = submit_request(
        SubmitRequest(user_id=user.id or 0, template=template, user_prompt="a lighthouse"),
        uow=uow,
        clock=clock,
    )

    [job] = request.jobs
    assert (job.input.provider, job.input.model) == (provider, slug)


def test_seeding_again_keeps_a_schema_synced_since_the_first_seed() -> None:
    uow, clock, _ = _seeded()
    published = {"type": "object", "properties": {"go_fast": {"type": "boolean"}}}
    source = FakeSchemaSource("replicate", {"black-forest-labs/flux-schnell": published})
    sync_model_schema(
        "replicate",
        "black-forest-labs/flux-schnell",
        sources={"replicate": source},
        uow=uow,
        clock=clock,
    )

    again = seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="a@example.com")

    with uow:
        model = uow.provider_models.get_by_slug("black-forest-labs/flux-schnell")
    assert again.provider_models == 0
    assert model is not None
    assert (model.param_schema, model.synced_at) == (published, clock.now())
