"""Catalog documents: read and checked whole, loaded idempotently, exported in key order
(issue #20 §5)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.application.catalog.document import read_document, write_document
from genmedia.application.catalog.loading import export_catalog, load_catalog
from genmedia.application.catalog.seeding import sample_document
from genmedia.domain.errors import InvalidInput
from tests.fakes import FakeClock, FakeUnitOfWork

CLOCK = FakeClock()
SETTINGS = [
    {"key": "vnd_per_credit", "type": "int", "value": 1000, "group": "billing"},
    {"key": "banner", "type": "json", "value": {"title": "Hi", "on": True}},
]


def _with_settings() -> dict[str, Any]:
    return sample_document() | {"settings": copy.deepcopy(SETTINGS)}


def _problems(document: Any) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        read_document(document)
    return [str(error) for error in refused.value.field_errors()]


def _loaded(document: dict[str, Any], **kw: Any) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    load_catalog(document, uow=uow, clock=CLOCK, **kw)
    return uow


def test_a_bad_document_is_refused_with_every_problem_named_by_its_path() -> None:
    document = sample_document()
    del document["templates"][3]["option_groups"][0]["options"][1]["value"]
    document["templates"][1]["feature"] = "Nope"
    document["tags"][0]["sort_order"] = "first"
    document["tags"][1]["colour"] = "red"
    document["credit_packs"].append({"name": "Mega", "credits": 5, "price": 1})
    document["provider_models"][0]["cost_per_use"] = -1
    document["extras"] = []
    document["settings"] = [{"key": "ratio", "type": "float", "value": "lots"}]

    assert _problems(document) == [
        "extras: unknown section",
        "provider_models[0].cost_per_use: must be an integer ≥ 0",
        "tags[0].sort_order: must be an integer ≥ 0",
        "tags[1].colour: unknown field",
        "credit_packs[3].currency: required",
        "templates[3].option_groups[0].options[1].value: required",
        "settings[0].value: is not a valid float",
        "templates[1].feature: names 'Nope', which is not in features",
    ]


def test_what_the_domain_refuses_in_a_well_typed_record_is_named_by_its_path() -> None:
    document = sample_document()
    document["provider_models"][0]["param_schema"] = {"type": "object", "oneOf": []}
    group = document["templates"][0]["option_groups"][0]
    group["options"].append(dict(group["options"][0]))
    document["credit_packs"][0]["currency"] = "euros"
    document["features"].append(dict(document["features"][0]))

    problems = _problems(document)

    assert problems[0] == (
        "provider_models[0].param_schema: unsupported JSON-Schema keywords: ['oneOf']"
    )
    assert problems[1] == "features[2].name: repeats features[0]"
    assert problems[2].startswith("credit_packs[0].currency: ")
    assert problems[3] == ("templates[0].option_groups.aspectRatio: option values must be unique")


@pytest.mark.parametrize("document", [[], "catalog", None])
def test_a_document_that_is_not_an_object_is_refused(document: Any) -> None:
    assert _problems(document) == ["$: the document must be a JSON object"]


def test_a_refused_document_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    document = sample_document()
    document["templates"][0]["tag"] = "Missing"

    with pytest.raises(InvalidInput):
        load_catalog(document, uow=uow, clock=CLOCK)

    assert (uow.db.catalog_writes, uow.commits) == ([], 0)


def test_fields_left_out_take_their_defaults_and_a_missing_section_is_empty() -> None:
    read = read_document({"tags": [{"name": "Summer"}]})

    assert read["tags"] == {
        "Summer": {
            "name": "Summer",
            "color_from": None,
            "color_to": None,
            "icon": None,
            "sort_order": 0,
            "is_active": True,
        }
    }
    assert read["templates"] == {}


def test_a_record_is_compared_as_the_domain_stores_it_so_it_loads_once() -> None:
    document = {"credit_packs": [{"name": "Pro", "credits": 10, "price": 5, "currency": "usd"}]}
    uow = _loaded(document)

    again = load_catalog(document, uow=uow, clock=CLOCK)

    assert read_document(document)["credit_packs"]["Pro"]["currency"] == "USD"
    assert not again.writes


def test_a_written_document_reads_back_as_the_same_records() -> None:
    read = read_document(sample_document())

    assert read_document(write_document(read)) == read


def test_an_export_loaded_into_an_empty_catalog_exports_as_the_same_document() -> None:
    exported = export_catalog(uow=_loaded(_with_settings()))

    again = export_catalog(uow=_loaded(exported))

    assert again == exported
    assert [s["key"] for s in exported["settings"]] == ["banner", "vnd_per_credit"]
    assert [t["slug"] for t in exported["templates"]] == sorted(
        t["slug"] for t in exported["templates"]
    )


def test_a_second_load_of_the_same_document_writes_nothing() -> None:
    uow = _loaded(_with_settings())
    written = list(uow.db.catalog_writes)

    report = load_catalog(_with_settings(), uow=uow, clock=CLOCK)

    assert uow.db.catalog_writes == written
    assert not report.writes
    assert report.counts()["settings"]["unchanged"] == len(SETTINGS)
    assert report.counts()["templates"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 9,
        "kept": 0,
        "retired": 0,
    }


def test_a_load_matches_by_natural_key_and_only_writes_what_changed() -> None:
    uow = _loaded(sample_document())
    changed = copy.deepcopy(sample_document())
    changed["tags"][0]["icon"] = "star"
    changed["features"][0]["model"] = "local-t2i-async"
    written = len(uow.db.catalog_writes)

    report = load_catalog(changed, uow=uow, clock=CLOCK)

    tag, feature = changed["tags"][0]["name"], changed["features"][0]["name"]
    assert uow.db.catalog_writes[written:] == [
        ("update", "Feature", feature),
        ("update", "Tag", tag),
    ]
    assert (report.sections["tags"].updated, report.sections["features"].updated) == (
        (tag,),
        (feature,),
    )
    with uow:
        model = uow.provider_models.get_by_slug("local-t2i-async")
        stored = uow.features.get_by_name(feature)
    assert stored is not None
    assert model is not None
    assert stored.provider_model_id == model.id


def test_a_load_without_prune_keeps_what_the_document_lacks_and_a_pruning_one_retires_it() -> None:
    uow = _loaded(sample_document())
    smaller = sample_document()
    dropped_pack = smaller["credit_packs"].pop()["name"]
    dropped_template = smaller["templates"].pop()["slug"]

    kept = load_catalog(smaller, uow=uow, clock=CLOCK)
    pruned = load_catalog(smaller, uow=uow, clock=CLOCK, prune=True)
    again = load_catalog(smaller, uow=uow, clock=CLOCK, prune=True)

    assert kept.sections["credit_packs"].kept == (dropped_pack,)
    assert not kept.writes
    assert pruned.sections["credit_packs"].retired == (dropped_pack,)
    assert pruned.sections["templates"].retired == (dropped_template,)
    assert not again.writes
    with uow:
        pack = uow.credit_packs.get_by_name(dropped_pack)
        assert uow.templates.get_by_slug(dropped_template) is None
    assert pack is not None
    assert pack.is_active is False


def test_seeding_adds_only_what_is_missing_and_leaves_edited_entities_alone() -> None:
    uow = _loaded(sample_document())
    edited = sample_document()
    edited["tags"][0]["icon"] = "star"
    load_catalog(edited, uow=uow, clock=CLOCK)

    report = load_catalog(sample_document(), uow=uow, clock=CLOCK, only_missing=True)

    assert report.sections["tags"].kept == (edited["tags"][0]["name"],)
    assert not report.writes
    with uow:
        tag = uow.tags.get_by_name(edited["tags"][0]["name"])
    assert tag is not None
    assert tag.icon == "star"


optional_text = st.none() | st.text(max_size=5)
tag_records = st.fixed_dictionaries(
    {"name": st.text(alphabet="abc ", min_size=1, max_size=4).filter(str.strip)},
    optional={
        "icon": optional_text,
        "color_from": optional_text,
        "sort_order": st.integers(0, 9),
        "is_active": st.booleans(),
    },
)
pack_records = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Starter", "Pro", "Mega"]),
        "credits": st.integers(1, 10_000),
        "price": st.integers(0, 10_000),
        "currency": st.sampled_from(["USD", "VND", "EUR"]),
    },
    optional={"is_active": st.booleans()},
)


@given(
    st.lists(tag_records, unique_by=lambda t: t["name"], max_size=4),
    st.lists(pack_records, unique_by=lambda p: p["name"], max_size=3),
)
def test_any_valid_document_reads_back_the_same_after_being_written(
    tags: list[dict[str, Any]], packs: list[dict[str, Any]]
) -> None:
    read = read_document({"tags": tags, "credit_packs": packs})

    assert read_document(write_document(read)) == read
    assert export_catalog(uow=_loaded({"tags": tags, "credit_packs": packs})) == write_document(
        read
    )
