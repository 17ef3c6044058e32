"""Audit entries: what changed between before and after, masked secrets, named bad fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from genmedia.domain.audit import MASK, AuditEntry, masked
from genmedia.domain.errors import InvalidValue

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _entry(before: dict[str, object] | None, after: dict[str, object] | None) -> AuditEntry:
    return AuditEntry(
        actor_id=1,
        action="update",
        entity="feature",
        entity_id="3",
        before=before,
        after=after,
        at=NOW,
    )


def test_changed_names_the_fields_that_differ_including_added_and_removed_ones() -> None:
    entry = _entry({"name": "a", "price": 1, "old": True}, {"name": "a", "price": 2, "new": 1})
    assert entry.changed == ["new", "old", "price"]


def test_a_creation_changes_every_field_it_sets() -> None:
    assert _entry(None, {"name": "a", "price": 1}).changed == ["name", "price"]


def test_masked_hides_the_secret_fields_that_have_a_value_and_keeps_the_rest() -> None:
    state = {"key": "fal_api_key", "value": "sk-123", "label": None}
    assert masked(state, frozenset({"value", "label"})) == {
        "key": "fal_api_key",
        "value": MASK,
        "label": None,
    }


@pytest.mark.parametrize("field", ["action", "entity", "entity_id"])
def test_an_empty_or_overlong_name_is_refused_naming_its_field(field: str) -> None:
    for bad in ("", "x" * 65):
        values = {"action": "update", "entity": "feature", "entity_id": "1", field: bad}
        with pytest.raises(InvalidValue) as refused:
            AuditEntry(actor_id=1, before=None, after=None, at=NOW, **values)
        assert refused.value.field_errors()[0].field == field
