"""Rows of templates, their image slots and their option groups."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import without_none
from genmedia.adapters.sql.tables import template_option_groups, template_options
from genmedia.domain.template import ImageSlot, Option, OptionGroup, Template

_groups = template_option_groups
_options = template_options

_TEMPLATE_FIELDS = (
    "feature_id", "name", "slug", "description", "template_prompt", "template_data",
    "preview_url", "price", "allow_user_custom_prompt", "capabilities", "system_images",
    "provider_model_id", "legacy_provider_model_id", "tag_id", "tags", "is_trending",
    "trend_score", "usage_count", "view_count", "trend_start_date", "trend_end_date",
    "is_active", "order_index", "created_at", "deleted_at",
)  # fmt: skip


def template_row(template: Template) -> dict[str, Any]:
    """The column values of a template, its image slots as a JSON list."""
    values = {name: getattr(template, name) for name in _TEMPLATE_FIELDS}
    values["image_slots"] = [attrs.asdict(slot) for slot in template.image_slots]
    return without_none(values, "created_at")


def template_from_row(row: sa.Row[Any], groups: Sequence[OptionGroup]) -> Template:
    """The template a row holds, with the option groups loaded beside it."""
    values = {name: getattr(row, name) for name in _TEMPLATE_FIELDS}
    values.update(
        template_data=row.template_data or {},
        capabilities=row.capabilities or {},
        system_images=row.system_images or [],
        tags=row.tags or [],
        image_slots=tuple(ImageSlot(**slot) for slot in row.image_slots or []),
    )
    return Template(id=row.id, option_groups=tuple(groups), **values)


def insert_option_groups(
    connection: sa.Connection, template_id: int, groups: Sequence[OptionGroup]
) -> tuple[OptionGroup, ...]:
    """Insert a template's option groups; the groups again, their options with ids."""
    return tuple(_insert_group(connection, template_id, group) for group in groups)


def _insert_group(connection: sa.Connection, template_id: int, group: OptionGroup) -> OptionGroup:
    values = {
        "template_id": template_id,
        "group_name": group.group_name,
        "label": group.label,
        "multiple": group.multiple,
        "required": group.required,
        "sort_order": group.sort_order,
    }
    inserted = connection.execute(sa.insert(_groups).values(values).returning(_groups.c.id))
    group_id = inserted.scalar_one()
    if not group.options:
        return group
    rows = [_option_row(group_id, option) for option in group.options]
    insert = sa.insert(_options).returning(_options.c.id, sort_by_parameter_order=True)
    ids = connection.execute(insert, rows).scalars().all()
    options = [attrs.evolve(o, id=i) for o, i in zip(group.options, ids, strict=True)]
    return attrs.evolve(group, options=options)


def _option_row(group_id: int, option: Option) -> dict[str, Any]:
    values = attrs.asdict(option, recurse=False)
    del values["id"]
    return {"group_id": group_id, **values}


@functools.cache
def _groups_with_options() -> sa.Select[Any]:
    """The option groups of some templates, each with its options (or one row of NULL
    options), in display order: groups by sort_order, options by sort_order within."""
    option_columns = [c.label(f"o_{c.name}") for c in _options.c if c.name != "group_id"]
    joined = _groups.outerjoin(_options, _options.c.group_id == _groups.c.id)
    return (
        sa.select(_groups, *option_columns)
        .select_from(joined)
        .where(_groups.c.template_id.in_(sa.bindparam("templates", expanding=True)))
        .order_by(_groups.c.sort_order, _groups.c.id, _options.c.sort_order, _options.c.id)
    )


def load_option_groups(
    connection: sa.Connection, template_ids: Sequence[int]
) -> dict[int, list[OptionGroup]]:
    """The option groups of each template, by sort_order, with their options; one query."""
    if not template_ids:
        return {}
    rows = connection.execute(_groups_with_options(), {"templates": list(template_ids)}).all()
    options: dict[int, list[Option]] = defaultdict(list)
    groups: dict[int, sa.Row[Any]] = {}
    for row in rows:
        groups.setdefault(row.id, row)
        if row.o_id is not None:
            fields = {name[2:]: value for name, value in row._mapping.items() if name[:2] == "o_"}
            fields["params"] = fields["params"] or {}
            options[row.id].append(Option(**fields))
    by_template: dict[int, list[OptionGroup]] = defaultdict(list)
    for group_id, g in groups.items():
        by_template[g.template_id].append(
            OptionGroup(
                group_name=g.group_name,
                label=g.label,
                options=options.get(group_id, []),
                multiple=g.multiple,
                required=g.required,
                sort_order=g.sort_order,
            )
        )
    return by_template
