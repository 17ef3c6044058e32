"""Seeding the sample catalog from its data file (SPEC CAT-8)."""

from __future__ import annotations

from genmedia.application.catalog.seeding import SeedReport, seed_catalog
from tests.fakes import FakeClock, FakeHasher, FakeUnitOfWork


def _seeded() -> tuple[FakeUnitOfWork, FakeClock, SeedReport]:
    uow, clock = FakeUnitOfWork(), FakeClock()
    report = seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="a@example.com")
    return uow, clock, report


def test_the_first_seed_adds_the_whole_sample_catalog_and_a_second_adds_nothing() -> None:
    uow, clock, first = _seeded()

    again = seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="a@example.com")

    assert first == SeedReport(provider_models=7, features=2, tags=3, templates=8, credit_packs=3)
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
