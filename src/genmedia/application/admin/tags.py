"""Admin: operators' writes to tags (SPEC CAT-4), each audited with before and after.

SPEC gives tags no soft delete: a deleted tag is gone, and its templates lose their
`tag_id` (their `tags` texts stay). To hide a tag but keep it, deactivate it.
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.admin.catalog_fields import TAG, state_of
from genmedia.application.admin.documents import read_document
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.catalog import Tag


def create_tag(actor_id: int, document: Any, *, uow: UnitOfWork, clock: Clock) -> Tag:
    """Add a tag; AlreadyExists if its name is taken."""
    tag = Tag(**read_document(document, TAG, creating=True))
    with uow:
        uow.tags.add(tag)
        audit(uow, actor_id, "create", "tag", tag.id, None, state_of(tag), clock.now())
        uow.commit()
    return tag


def get_tag(tag_id: int, *, uow: UnitOfWork) -> Tag:
    """A tag, active or not; NotFound."""
    with uow:
        return uow.tags.get(tag_id)


def list_tags(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Tag]:
    """Every tag, active or not, newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.tags.page(after=after, limit=limit + 1)
    return page_of(rows, limit, lambda t: (t.id or 0,))


def update_tag(actor_id: int, tag_id: int, document: Any, *, uow: UnitOfWork, clock: Clock) -> Tag:
    """Change the fields the document names; the others stay as they are."""
    changes = read_document(document, TAG, creating=False)
    with uow:
        tag = uow.tags.lock(tag_id)
        before = state_of(tag)
        tag.revise(**changes)
        if state_of(tag) != before:
            uow.tags.save(tag)
            audit(uow, actor_id, "update", "tag", tag_id, before, state_of(tag), clock.now())
            uow.commit()
    return tag


def delete_tag(actor_id: int, tag_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Delete a tag for good; its templates lose their `tag_id`."""
    with uow:
        before = state_of(uow.tags.lock(tag_id))
        uow.tags.remove(tag_id)
        audit(uow, actor_id, "delete", "tag", tag_id, before, None, clock.now())
        uow.commit()
