"""Admin: the audit log of admin writes (GET /v1/admin/audit)."""

from __future__ import annotations

from litestar import get

from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.dependencies import Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.presenters.admin import AuditEntryView, audit_entry_view
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses


@get("/audit", responses=responses(401, 403, 422), sync_to_thread=True)
def audit_log(page: Paging, container: Services) -> Page[AuditEntryView]:
    """Every admin write, newest first: who, what, before and after."""
    found = container.list_audit(after=page.after, limit=page.limit)
    return page_view(page, found, audit_entry_view)


router = admin_router([audit_log], "admin")
