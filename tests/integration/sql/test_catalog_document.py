"""Catalog as code on SQL: export, load, round trip, idempotence and prune (issue #20 §5)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_templates, metadata, tags
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.loading import LoadReport, export_catalog, load_catalog
from genmedia.application.catalog.seeding import sample_document, seed_catalog
from genmedia.domain.errors import InvalidInput, NotFound
from genmedia.domain.settings import Setting
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration

CLOCK = FakeClock()
SETTINGS = [
    {"key": "ratio", "type": "float", "value": 0.25, "group": "billing"},
    {"key": "beta", "type": "bool", "value": False, "label": "Beta features"},
    {"key": "banner", "type": "json", "value": {"b": [1, "two"], "a": None}},
]


def _export(engine: sa.Engine) -> dict[str, Any]:
    return export_catalog(uow=SqlUnitOfWork(engine))


def _load(engine: sa.Engine, document: dict[str, Any], **kw: Any) -> LoadReport:
    return load_catalog(document, uow=SqlUnitOfWork(engine), clock=CLOCK, **kw)


CATALOG = ("template_options", "template_option_groups", "generation_templates",
           "generation_features", "tags", "provider_models", "credit_packs",
           "settings")  # fmt: skip


def _empty(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for name in CATALOG:
            connection.execute(sa.delete(metadata.tables[name]))


@contextmanager
def _writes(engine: sa.Engine) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements run on the engine inside the block."""
    found: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            found.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def _seeded(engine: sa.Engine) -> dict[str, Any]:
    """The seeded catalog's export, after adding a setting of each type but string."""
    seed_catalog(uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=CLOCK, admin_email="a@x.io")
    _load(engine, {"settings": SETTINGS})
    return _export(engine)


def test_an_export_loaded_into_an_empty_database_exports_as_the_same_document(
    engine: sa.Engine,
) -> None:
    exported = _seeded(engine)
    _empty(engine)

    _load(engine, exported)

    assert json.dumps(_export(engine), indent=2) == json.dumps(exported, indent=2)
    assert [t["slug"] for t in exported["templates"]] == sorted(
        t["slug"] for t in sample_document()["templates"]
    )
    assert [s["key"] for s in exported["settings"]] == [
        "banner",
        "beta",
        "ratio",
        "request_archive_days",
        "vnd_per_credit",
    ]


def test_a_second_load_of_the_same_document_makes_no_writes(engine: sa.Engine) -> None:
    exported = _seeded(engine)
    _empty(engine)
    first = _load(engine, exported)

    with _writes(engine) as writes:
        second = _load(engine, exported)

    assert first.writes
    assert writes == []
    assert not second.writes
    assert second.counts()["templates"]["unchanged"] == len(exported["templates"])
    assert second.counts()["settings"]["unchanged"] == len(exported["settings"])


def test_the_sample_catalog_loaded_again_over_the_seed_writes_nothing(engine: sa.Engine) -> None:
    _seeded(engine)

    with _writes(engine) as writes:
        report = _load(engine, sample_document())

    assert (writes, report.writes) == ([], False)


def test_a_load_updates_changed_entities_in_place_keeping_their_counts(engine: sa.Engine) -> None:
    document = _seeded(engine)
    with engine.begin() as connection:
        connection.execute(sa.update(generation_templates).values(usage_count=7))
    portrait = next(t for t in document["templates"] if t["slug"] == "studio-portrait")
    portrait["name"] = "Studio portrait II"
    portrait["option_groups"][0]["options"].pop()

    report = _load(engine, document)

    with SqlUnitOfWork(engine) as uow:
        stored = uow.templates.get_by_slug("studio-portrait")
    assert report.sections["templates"].updated == ("studio-portrait",)
    assert stored is not None
    assert (stored.name, stored.usage_count) == ("Studio portrait II", 7)
    assert _export(engine) == document


def test_a_load_deletes_nothing_and_a_pruning_load_retires_what_the_document_lacks(
    engine: sa.Engine,
) -> None:
    full = _seeded(engine)
    smaller = copy.deepcopy(full)
    smaller["templates"] = [t for t in full["templates"] if t["tag"] != "Fantasy"]
    smaller["tags"] = [t for t in full["tags"] if t["name"] != "Fantasy"]

    kept = _load(engine, smaller)
    pruned = _load(engine, smaller, prune=True)

    gone = tuple(sorted(t["slug"] for t in full["templates"] if t["tag"] == "Fantasy"))
    assert (kept.sections["templates"].kept, kept.writes) == (gone, False)
    assert (pruned.sections["templates"].retired, pruned.sections["tags"].retired) == (
        gone,
        ("Fantasy",),
    )
    with engine.connect() as connection:
        deleted = connection.execute(
            sa.select(generation_templates.c.slug).where(generation_templates.c.deleted_at != None)  # noqa: E711
        )
        fantasy = connection.execute(sa.select(tags.c.is_active).where(tags.c.name == "Fantasy"))
        assert tuple(sorted(deleted.scalars())) == gone
        assert fantasy.scalar_one() is False
    exported = _export(engine)
    assert [t["slug"] for t in exported["templates"]] == [t["slug"] for t in smaller["templates"]]


def test_a_pruned_template_comes_back_when_a_document_names_it_again(engine: sa.Engine) -> None:
    full = _seeded(engine)
    without = copy.deepcopy(full)
    without["templates"] = full["templates"][1:]
    _load(engine, without, prune=True)

    report = _load(engine, full)

    assert report.sections["templates"].created == (full["templates"][0]["slug"],)
    assert _export(engine)["templates"] == full["templates"]


def test_every_field_a_document_can_set_survives_the_round_trip(engine: sa.Engine) -> None:
    document = _seeded(engine)
    feature, template = document["features"][0], document["templates"][0]
    feature.update(legacy_model="local-t2i-async", preview_url="f.png", is_active=False)
    template.update(
        legacy_model="local-t2i",
        trend_start_date="2026-02-01T10:00:00+02:00",
        trend_end_date="2026-03-01T00:00:00Z",
        system_images=["s3://a.png"],
        capabilities={"z": 1, "a": [1.5, {"y": None, "b": True}]},
    )
    template["option_groups"][0]["options"][0].update(icon="i.svg", params={"w": 8})
    document["tags"][0].update(color_from="#000", is_active=False)
    document["provider_models"][0].update(category="inpaint", version="2", is_default=True)
    document["credit_packs"][0].update(price=0, is_active=False)
    document["settings"][0].update(description="Shown at sign-in", value={"é": "ü"})
    _empty(engine)

    _load(engine, document)

    exported = _export(engine)
    assert exported["templates"][0]["trend_start_date"] == "2026-02-01T08:00:00+00:00"
    assert exported["templates"][0]["capabilities"] == {"a": [1.5, {"b": True, "y": None}], "z": 1}
    assert json.dumps(exported) == json.dumps(_export(engine))
    assert _load(engine, document).writes is False


def test_an_encrypted_setting_is_never_exported_overwritten_or_pruned(engine: sa.Engine) -> None:
    document = _seeded(engine)
    with SqlUnitOfWork(engine) as uow:
        sealed = Setting(key="webhook_url", value="k1:token", is_encrypted=True, sealed=True)
        uow.settings.add(sealed)
        uow.commit()
    overwriting = copy.deepcopy(document)
    overwriting["settings"].append({"key": "webhook_url", "value": "https://x"})

    with pytest.raises(InvalidInput) as refused:
        _load(engine, overwriting)
    pruned = _load(engine, document | {"settings": []}, prune=True)

    assert [e.field for e in refused.value.field_errors()] == ["settings[5].key"]
    assert pruned.sections["settings"].kept == tuple(s["key"] for s in document["settings"])
    assert _export(engine) == document
    with SqlUnitOfWork(engine) as uow:
        assert uow.settings.get("webhook_url").value == "k1:token"
        with pytest.raises(NotFound):  # the store itself never writes an encrypted setting
            uow.catalog.update(Setting(id=sealed.id, key="webhook_url", value="https://x"))
