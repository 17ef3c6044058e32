"""Admin: operators' writes to features (SPEC CAT-1), each audited with before and after.

A feature is deleted softly (it keeps its requests) and can be restored. An edit locks the
feature's row, so two operators' edits apply one after the other (see catalog_edits).
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.admin.catalog_fields import FEATURE, check_references, state_of
from genmedia.application.admin.documents import read_document
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.catalog import Feature


def create_feature(actor_id: int, document: Any, *, uow: UnitOfWork, clock: Clock) -> Feature:
    """Add a feature; AlreadyExists if a live feature has its name."""
    values = read_document(document, FEATURE, creating=True)
    feature = Feature(**values)
    with uow:
        check_references(uow, values)
        uow.features.add(feature)
        audit(uow, actor_id, "create", "feature", feature.id, None, state_of(feature), clock.now())
        uow.commit()
    return feature


def get_feature(feature_id: int, *, uow: UnitOfWork) -> Feature:
    """A feature, active, inactive or deleted; NotFound."""
    with uow:
        return uow.features.get(feature_id)


def list_features(
    *, uow: UnitOfWork, deleted: bool = False, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Feature]:
    """Live features, active or not (with `deleted`, the deleted ones), newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.features.page(deleted=deleted, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda f: (f.id or 0,))


def update_feature(
    actor_id: int, feature_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> Feature:
    """Change the fields the document names; the others stay as they are."""
    changes = read_document(document, FEATURE, creating=False)
    with uow:
        feature = uow.features.lock(feature_id)
        before = state_of(feature)
        check_references(uow, changes)
        feature.revise(**changes)
        if state_of(feature) != before:
            uow.features.save(feature)
            after = state_of(feature)
            audit(uow, actor_id, "update", "feature", feature_id, before, after, clock.now())
            uow.commit()
    return feature


def delete_feature(actor_id: int, feature_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Delete a feature softly: it leaves the catalog, its requests keep it."""
    with uow:
        feature = uow.features.lock(feature_id)
        before = state_of(feature)
        feature.delete(clock.now())
        uow.features.save(feature)
        audit(uow, actor_id, "delete", "feature", feature_id, before, None, clock.now())
        uow.commit()


def restore_feature(actor_id: int, feature_id: int, *, uow: UnitOfWork, clock: Clock) -> Feature:
    """Bring a deleted feature back; AlreadyExists if a live feature has taken its name."""
    with uow:
        feature = uow.features.lock(feature_id)
        before = state_of(feature)
        feature.restore()
        uow.features.save(feature)
        after = state_of(feature)
        audit(uow, actor_id, "restore", "feature", feature_id, before, after, clock.now())
        uow.commit()
    return feature
