"""Templates with their option groups, options and image slots in SQL."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import unique_or_already_exists
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.repositories.templates.edits import SqlTemplateEdits
from genmedia.adapters.sql.repositories.templates.rows import (
    insert_option_groups,
    load_option_groups,
    template_from_row,
    template_row,
)
from genmedia.adapters.sql.tables import generation_templates
from genmedia.application.ports import TemplateRepository, TemplateSearch
from genmedia.application.ports.catalog import OrderKey
from genmedia.domain.errors import NotFound
from genmedia.domain.template import Template

_templates = generation_templates


@functools.cache
def _live_by_slug() -> sa.Select[Any]:
    """The template of a slug (slugs are unique), unless soft-deleted."""
    live = _templates.c.deleted_at.is_(None)
    return sa.select(_templates).where(_templates.c.slug == sa.bindparam("slug"), live)


_NEWEST = ((_templates.c.id, True),)
_TRENDING = ((_templates.c.trend_score, True), (_templates.c.id, True))


def _has_tag(connection: sa.Connection, tag: str) -> sa.ColumnElement[bool]:
    """The tags array holds `tag`: `@>` on PostgreSQL (its GIN index), json_each on SQLite."""
    if connection.dialect.name == "postgresql":
        return _templates.c.tags.contains([tag])
    each = sa.func.json_each(_templates.c.tags).table_valued("value")
    return sa.exists().where(each.c.value == tag)


def _searched(connection: sa.Connection, search: TemplateSearch) -> list[sa.ColumnElement[bool]]:
    """The conditions of a search: active and live, then each filter given."""
    conditions = [_templates.c.is_active == sa.true(), _templates.c.deleted_at.is_(None)]
    if search.feature_id is not None:
        conditions.append(_templates.c.feature_id == search.feature_id)
    if search.tag_id is not None:
        conditions.append(_templates.c.tag_id == search.tag_id)
    if search.tag is not None:
        conditions.append(_has_tag(connection, search.tag))
    if search.q is not None:
        name, description = _templates.c.name, _templates.c.description
        matches = (c.icontains(search.q, autoescape=True) for c in (name, description))
        conditions.append(sa.or_(*matches))
    return conditions


class SqlTemplateRepository(SqlTemplateEdits, TemplateRepository):
    """Templates, each loaded with its option groups."""

    def add(self, template: Template) -> Template:
        """Insert a template and its option groups; AlreadyExists if the slug is taken."""
        statement = sa.insert(_templates).values(template_row(template))
        statement = statement.returning(_templates.c.id, _templates.c.created_at)
        with unique_or_already_exists(self._connection, "template", template.slug):
            template_id, created_at = self._connection.execute(statement).one()
            groups = insert_option_groups(self._connection, template_id, template.option_groups)
        template.stored_as(template_id, created_at=created_at, option_groups=groups)
        return template

    def get(self, template_id: int) -> Template:
        """The template with this id, soft-deleted or not, or NotFound."""
        found = self._load(_templates.c.id == template_id)
        if not found:
            raise NotFound("template", template_id)
        return found[0]

    def get_by_slug(self, slug: str) -> Template | None:
        """The live template with this slug, if any."""
        row = self._connection.execute(_live_by_slug(), {"slug": slug}).one_or_none()
        if row is None:
            return None
        return template_from_row(
            row, load_option_groups(self._connection, [row.id]).get(row.id, [])
        )

    def list_active(self, feature_id: int | None = None) -> list[Template]:
        """Active live templates, optionally of one feature, by order_index."""
        conditions = [_templates.c.is_active == sa.true(), _templates.c.deleted_at.is_(None)]
        if feature_id is not None:
            conditions.append(_templates.c.feature_id == feature_id)
        return self._load(*conditions)

    def search(
        self, search: TemplateSearch, *, after: OrderKey | None = None, limit: int = 20
    ) -> list[Template]:
        """Active live templates the search selects, without option groups: newest (highest
        id) first, or by trend score then id when `trending`."""
        query = sa.select(_templates).where(*_searched(self._connection, search))
        order = _TRENDING if search.trending else _NEWEST
        rows = self._all(keyset(query, order, after, limit))
        return [template_from_row(row, ()) for row in rows]

    def _load(self, *conditions: sa.ColumnElement[bool]) -> list[Template]:
        query = sa.select(_templates).where(*conditions)
        rows = self._all(query.order_by(_templates.c.order_index, _templates.c.id))
        groups = load_option_groups(self._connection, [row.id for row in rows])
        return [template_from_row(row, groups.get(row.id, [])) for row in rows]
