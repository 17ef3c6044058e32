"""Reading and writing a catalog document: JSON in, records by section and natural key out,
every problem of the document named by its path (issue #20 §5)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from genmedia.application.catalog.document_fields import Problems, problem, record
from genmedia.application.catalog.document_sections import (
    FORMAT_VERSION,
    SECTIONS,
    Entries,
    Section,
)
from genmedia.application.catalog.entries import normalised
from genmedia.domain.errors import InvalidInput, InvalidValue

_NAMES = frozenset(section.name for section in SECTIONS)


def _entries(section: Section, value: Any, problems: Problems) -> Entries:
    """A section's records by natural key; a repeated key is a problem."""
    if not isinstance(value, list):
        problem(problems, section.name, "must be a list")
        return {}
    entries: Entries = {}
    first: dict[str, int] = {}
    for index, item in enumerate(value):
        path, before = f"{section.name}[{index}]", len(problems)
        entry = record(item, section.fields, path, problems, section.refused)
        if len(problems) == before:
            entry = normalised(section, entry, path, problems)
        key = entry.get(section.key)
        if not isinstance(key, str):
            continue
        if key in first:
            problem(problems, f"{path}.{section.key}", f"repeats {section.name}[{first[key]}]")
            continue
        first[key] = index
        entries[key] = entry
    return entries


def _references(section: Section, value: Any, document: Mapping[str, Entries]) -> Problems:
    """Each name in a section's records that the document does not hold."""
    problems: Problems = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        for field, (target, _) in section.references.items():
            named = item.get(field) if isinstance(item, dict) else None
            if isinstance(named, str) and named not in document[target]:
                message = f"names {named!r}, which is not in {target}"
                problem(problems, f"{section.name}[{index}].{field}", message)
    return problems


def read_document(data: Any) -> dict[str, Entries]:
    """Every section's records of a parsed document, checked whole; InvalidInput names each
    problem by its path in the document (a missing section is an empty one)."""
    if not isinstance(data, dict):
        raise InvalidInput([InvalidValue("$", "the document must be a JSON object")])
    problems: Problems = []
    if data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        problem(problems, "version", f"must be {FORMAT_VERSION}")
    for unknown in sorted(set(data) - _NAMES - {"version"}):
        problem(problems, unknown, "unknown section")
    document = {s.name: _entries(s, data.get(s.name, []), problems) for s in SECTIONS}
    for section in SECTIONS:
        problems += _references(section, data.get(section.name), document)
    if problems:
        raise InvalidInput(problems)
    return document


def refuse_stored_secrets(document: Mapping[str, Entries], encrypted: Collection[str]) -> None:
    """InvalidInput naming each setting of a read document whose key is that of an encrypted
    stored setting, which a load must neither overwrite nor compare with (and so reveal)."""
    problems: Problems = []
    for index, key in enumerate(document["settings"]):  # a read document keeps every record
        if key in encrypted:
            message = "is an encrypted setting, which a catalog load never changes"
            problem(problems, f"settings[{index}].key", message)
    if problems:
        raise InvalidInput(problems)


def write_document(document: Mapping[str, Entries]) -> dict[str, Any]:
    """The document of these records, each section sorted by natural key."""
    written: dict[str, Any] = {"version": FORMAT_VERSION}
    for section in SECTIONS:
        entries = document.get(section.name, {})
        written[section.name] = [entries[key] for key in sorted(entries)]
    return written
