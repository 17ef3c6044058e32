"""Admin: operators' writes to templates and their option groups (SPEC CAT-2, CAT-3), each
audited with before and after.

A template is written with its option groups and their options nested. `option_groups` in
an update replaces the whole set (the options get new ids; requests keep the values they
chose). A template is deleted softly and can be restored; its slug stays taken meanwhile.
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.admin.catalog_fields import (
    TEMPLATE,
    check_references,
    state_of,
    template_values,
)
from genmedia.application.admin.documents import read_document
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.template import Template


def create_template(actor_id: int, document: Any, *, uow: UnitOfWork, clock: Clock) -> Template:
    """Add a template with its option groups; AlreadyExists if its slug is taken."""
    values = template_values(read_document(document, TEMPLATE, creating=True))
    template = Template(**values)
    with uow:
        check_references(uow, values)
        uow.templates.add(template)
        after = state_of(template)
        audit(uow, actor_id, "create", "template", template.id, None, after, clock.now())
        uow.commit()
    return template


def get_template(template_id: int, *, uow: UnitOfWork) -> Template:
    """A template with its option groups, active, inactive or deleted; NotFound."""
    with uow:
        return uow.templates.get(template_id)


def list_templates(
    *, uow: UnitOfWork, deleted: bool = False, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Template]:
    """Live templates, active or not (with `deleted`, the deleted ones), newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.templates.page(deleted=deleted, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda t: (t.id or 0,))


def update_template(
    actor_id: int, template_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> Template:
    """Change the fields the document names (`option_groups` as a whole set)."""
    changes = template_values(read_document(document, TEMPLATE, creating=False))
    with uow:
        template = uow.templates.lock(template_id)
        before = state_of(template)
        check_references(uow, changes)
        template.revise(**changes)
        after = state_of(template)
        if after != before:
            regrouped = after["option_groups"] != before["option_groups"]
            uow.templates.save(template, option_groups=regrouped)
            after = state_of(template)
            audit(uow, actor_id, "update", "template", template_id, before, after, clock.now())
            uow.commit()
    return template


def delete_template(actor_id: int, template_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Delete a template softly: it leaves the catalog, its requests keep it."""
    with uow:
        template = uow.templates.lock(template_id)
        before = state_of(template)
        template.delete(clock.now())
        uow.templates.save(template)
        audit(uow, actor_id, "delete", "template", template_id, before, None, clock.now())
        uow.commit()


def restore_template(actor_id: int, template_id: int, *, uow: UnitOfWork, clock: Clock) -> Template:
    """Bring a deleted template back as it was."""
    with uow:
        template = uow.templates.lock(template_id)
        before = state_of(template)
        template.restore()
        uow.templates.save(template)
        after = state_of(template)
        audit(uow, actor_id, "restore", "template", template_id, before, after, clock.now())
        uow.commit()
    return template
