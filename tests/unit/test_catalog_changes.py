"""What a catalog load changes, by natural key (domain.catalog_changes), as properties."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.catalog_changes import Retirement, changes, retire

NOW = datetime(2026, 3, 1, tzinfo=UTC)
keys = st.sampled_from("abcdefgh")
entries = st.dictionaries(
    keys, st.fixed_dictionaries({"v": st.integers(0, 2), "is_active": st.booleans()})
)
ways = st.sampled_from(list(Retirement))


@given(entries, entries, ways, st.booleans(), st.booleans())
def test_every_key_of_either_side_is_put_exactly_one_way(
    current: dict[str, Any], wanted: dict[str, Any], how: Retirement, prune: bool, missing: bool
) -> None:
    found = changes(current, wanted, retirement=how, prune=prune, only_missing=missing)

    ways_of_keys = [found.created, found.updated, found.unchanged, found.kept, found.retired]
    every = [key for way in ways_of_keys for key in way]
    assert sorted(every) == sorted(set(current) | set(wanted))


@given(entries, entries, ways, st.booleans())
def test_applying_the_changes_makes_the_stored_entries_what_the_document_says(
    current: dict[str, Any], wanted: dict[str, Any], how: Retirement, prune: bool
) -> None:
    found = changes(current, wanted, retirement=how, prune=prune)

    after = dict(current)
    after.update({key: wanted[key] for key in found.created + found.updated})

    assert {key: after[key] for key in wanted} == wanted
    prunes = prune and how is not Retirement.KEEP
    assert set(found.kept) == (set() if prunes else set(current) - set(wanted))


@given(entries, ways, st.booleans())
def test_loading_what_is_stored_changes_nothing(
    current: dict[str, Any], how: Retirement, prune: bool
) -> None:
    found = changes(current, current, retirement=how, prune=prune)

    assert not found.writes
    assert found.unchanged == tuple(sorted(current))


@given(entries, entries, ways, st.booleans())
def test_without_prune_nothing_is_retired_and_with_only_missing_nothing_is_updated(
    current: dict[str, Any], wanted: dict[str, Any], how: Retirement, missing: bool
) -> None:
    found = changes(current, wanted, retirement=how, only_missing=missing)

    assert found.retired == ()
    assert not (missing and found.updated)


def test_a_deactivated_entry_is_retired_already_but_an_inactive_soft_deletable_one_is_not() -> None:
    current = {"off": {"is_active": False}}

    deactivated = changes(current, {}, retirement=Retirement.DEACTIVATE, prune=True)
    deleted = changes(current, {}, retirement=Retirement.SOFT_DELETE, prune=True)

    assert (deactivated.retired, deactivated.unchanged) == ((), ("off",))
    assert deleted.retired == ("off",)


def test_retiring_soft_deletes_a_feature_and_deactivates_a_tag() -> None:
    feature, tag = Feature(name="Text to image"), Tag(name="Portrait")

    retire(feature, Retirement.SOFT_DELETE, NOW)
    retire(tag, Retirement.DEACTIVATE, NOW)

    assert (feature.deleted_at, feature.is_active) == (NOW, True)
    assert tag.is_active is False


def test_a_kind_that_is_kept_is_never_retired_even_by_a_pruning_load() -> None:
    current, tag = {"vnd_per_credit": {"value": 1000}}, Tag(name="Portrait")

    found = changes(current, {}, retirement=Retirement.KEEP, prune=True)
    retire(tag, Retirement.KEEP, NOW)

    assert (found.kept, found.retired, found.writes) == (("vnd_per_credit",), (), False)
    assert tag.is_active is True
