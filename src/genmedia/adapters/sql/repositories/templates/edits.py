"""Operators' edits of templates and their option groups in SQL (API.md, Admin).

As for features (catalog/edits.py), an edit loads the row with SELECT … FOR UPDATE, so two
operators' edits of one template apply one after the other, neither lost.
"""

from __future__ import annotations

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import SqlRepository, written
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.repositories.templates.rows import (
    insert_option_groups,
    load_option_groups,
    template_from_row,
    template_row,
)
from genmedia.adapters.sql.tables import generation_templates, template_option_groups
from genmedia.application.ports.catalog_edits import OrderKey, TemplateEdits
from genmedia.domain.errors import NotFound
from genmedia.domain.template import Template

_templates = generation_templates
_COLUMNS = (*(Template.EDITABLE - {"option_groups"}), "deleted_at")


class SqlTemplateEdits(SqlRepository, TemplateEdits):
    """Operators' edits of templates."""

    def lock(self, template_id: int) -> Template:
        """The template with its option groups, deleted or not, locked; NotFound."""
        query = sa.select(_templates).where(_templates.c.id == template_id).with_for_update()
        row = self._one(query)
        if row is None:
            raise NotFound("template", template_id)
        groups = load_option_groups(self._connection, [template_id])
        return template_from_row(row, groups.get(template_id, []))

    def save(self, template: Template, *, option_groups: bool = False) -> Template:
        """Write back its editable fields and deletion, and with `option_groups` its groups
        in place of the stored ones; AlreadyExists if its slug is taken."""
        values = template_row(template)
        statement = sa.update(_templates).where(_templates.c.id == template.id)
        with written("template", template.slug):
            updated = self._connection.execute(statement.values({k: values[k] for k in _COLUMNS}))
        if updated.rowcount != 1:
            raise NotFound("template", template.id)
        if option_groups:
            groups = template_option_groups
            self._connection.execute(sa.delete(groups).where(groups.c.template_id == template.id))
            stored = insert_option_groups(
                self._connection, template.id or 0, template.option_groups
            )
            template.stored_as(template.id or 0, option_groups=stored)
        return template

    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Template]:
        """Live (or deleted) templates, active or not, with option groups, newest first."""
        column = _templates.c.deleted_at
        query = sa.select(_templates).where(column.is_not(None) if deleted else column.is_(None))
        rows = self._all(keyset(query, ((_templates.c.id, True),), after, limit))
        groups = load_option_groups(self._connection, [row.id for row in rows])
        return [template_from_row(row, groups.get(row.id, [])) for row in rows]
