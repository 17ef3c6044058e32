"""Catalog as code: export the whole catalog as one document, and load one as an idempotent
upsert by natural key (issue #20 §5)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.catalog.document import (
    read_document,
    refuse_stored_secrets,
    write_document,
)
from genmedia.application.catalog.document_sections import SECTIONS, Entries, Section
from genmedia.application.catalog.entries import Document, build, document_of, items_of
from genmedia.application.ports import CatalogContents, CatalogItem, Clock, UnitOfWork
from genmedia.domain.catalog_changes import KindChanges, changes, retire
from genmedia.domain.template import Template


@attrs.frozen
class LoadReport:
    """What a load did, per section: the natural keys created, updated, unchanged, kept
    (absent from the document, or different with `only_missing`) and retired."""

    sections: Mapping[str, KindChanges]

    @property
    def writes(self) -> bool:
        """Whether the load changed anything."""
        return any(found.writes for found in self.sections.values())

    def counts(self) -> dict[str, dict[str, int]]:
        """How many keys of each section went each way."""
        return {
            name: {way: len(keys) for way, keys in attrs.asdict(found).items()}
            for name, found in self.sections.items()
        }


def export_catalog(*, uow: UnitOfWork) -> dict[str, Any]:
    """The whole catalog as a document, each section sorted by natural key; encrypted
    settings are left out."""
    with uow:
        uow.read_snapshot()
        contents = uow.catalog.contents()
    return write_document(document_of(contents))


def load_catalog(
    data: Any,
    *,
    uow: UnitOfWork,
    clock: Clock,
    prune: bool = False,
    only_missing: bool = False,
) -> LoadReport:
    """Make the catalog hold what the document says, in one transaction; a bad document is
    refused whole (InvalidInput, each problem named by its path) before anything is written.

    Entities are matched by natural key; equal ones are not written. One the document lacks
    is kept, or with `prune` retired (soft-deleted, or deactivated where the kind has no
    soft delete; settings are never retired). With `only_missing`, entities already stored
    are left as they are. A setting that is encrypted in store is refused (InvalidInput).
    """
    wanted = read_document(data)
    with uow:
        contents = uow.catalog.contents()
        refuse_stored_secrets(wanted, contents.encrypted_setting_keys)
        report = _Load(uow, contents, clock.now()).apply(wanted, prune, only_missing)
        uow.commit()
    return report


class _Load:
    """One load's writes, section by section, in the order the sections name each other."""

    def __init__(self, uow: UnitOfWork, contents: CatalogContents, now: datetime) -> None:
        self.store, self.now = uow.catalog, now
        self.current = document_of(contents)
        items = items_of(contents)
        self.stored = {s.name: {getattr(i, s.key): i for i in items[s.name]} for s in SECTIONS}
        self.ids = {s: {k: i.id or 0 for k, i in found.items()} for s, found in self.stored.items()}

    def apply(self, wanted: Document, prune: bool, only_missing: bool) -> LoadReport:
        sections: dict[str, KindChanges] = {}
        for section in SECTIONS:
            found = changes(
                self.current[section.name],
                wanted[section.name],
                retirement=section.retirement,
                prune=prune,
                only_missing=only_missing,
            )
            self._write(section, wanted[section.name], found)
            sections[section.name] = found
        return LoadReport(sections)

    def _write(self, section: Section, wanted: Entries, found: KindChanges) -> None:
        stored, ids = self.stored[section.name], self.ids[section.name]
        for key in (key for key in wanted if key in found.created):  # in the document's order
            ids[key] = self.store.add(build(section, wanted[key], self.ids, now=self.now))
        for key in found.updated:
            item = build(section, wanted[key], self.ids, previous=stored[key])
            self.store.update(item)
            if isinstance(item, Template) and self._groups_differ(section, key, wanted[key]):
                self.store.replace_option_groups(item)
        for key in found.retired:
            retired: CatalogItem = stored[key]
            retire(retired, section.retirement, self.now)
            self.store.update(retired)

    def _groups_differ(self, section: Section, key: str, entry: Mapping[str, Any]) -> bool:
        return bool(self.current[section.name][key]["option_groups"] != entry["option_groups"])
