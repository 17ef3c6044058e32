"""Reading templates: the catalog listing and one template, whose reading counts a view
(SPEC CAT-2, CAT-3, CAT-6)."""

from __future__ import annotations

import attrs

from genmedia.application.inputs import text
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, TemplateSearch, UnitOfWork
from genmedia.domain.errors import NotFound
from genmedia.domain.template import Template
from genmedia.domain.trending import activity_hour

MAX_QUERY = 200
MAX_TAG = 64


def _checked(search: TemplateSearch) -> TemplateSearch:
    """The search with `q` and `tag` trimmed (blank ones dropped), or InvalidValue."""
    q = text(search.q, "q", MAX_QUERY).strip() if search.q is not None else ""
    tag = text(search.tag, "tag", MAX_TAG).strip() if search.tag is not None else ""
    return attrs.evolve(search, q=q or None, tag=tag or None)


def list_templates(
    search: TemplateSearch | None = None,
    *,
    uow: UnitOfWork,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Template]:
    """Active templates the search selects (without option groups), newest first or, when
    `trending`, by trend score; the score is read as stored, never computed here."""
    search = _checked(search or TemplateSearch())
    check_window(after, limit, 2 if search.trending else 1)
    with uow:
        rows = uow.templates.search(search, after=after, limit=limit + 1)
    if search.trending:
        return page_of(rows, limit, lambda t: (t.trend_score, t.id or 0))
    return page_of(rows, limit, lambda t: (t.id or 0,))


def _usable(uow: UnitOfWork, key: int | str) -> Template:
    """The active, live template of this id or slug; NotFound otherwise."""
    found = uow.templates.get(key) if isinstance(key, int) else uow.templates.get_by_slug(key)
    if found is None or not found.is_usable:
        raise NotFound("template", key)
    return found


def view_template(key: int | str, *, uow: UnitOfWork, clock: Clock) -> Template:
    """One active template, by id or slug, with its option groups; counts one view (an
    atomic increment in the store, in the same transaction)."""
    with uow:
        template = _usable(uow, key)
        uow.trends.count(template.id or 0, activity_hour(clock.now()), views=1)
        template.count_view()
        uow.commit()
    return template
