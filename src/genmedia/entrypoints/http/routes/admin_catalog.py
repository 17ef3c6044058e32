"""Admin of the catalog (API.md, Admin): features and tags under /v1/admin.

Bodies are plain JSON read field by field (application/admin/documents.py, described in
the OpenAPI document by admin_bodies.py); PATCH changes only the fields it names. Features
are deleted softly and restored; tags are deleted for good. Every write is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from genmedia.application.admin.catalog_fields import FEATURE, TAG
from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.admin_bodies import body_operation
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.admin_catalog import (
    FeatureAdminView,
    TagAdminView,
    feature_admin_view,
    tag_admin_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses

Document = JSONBody[dict[str, Any]]
Deleted = Annotated[
    bool, QueryParameter(description="List the deleted ones (which can be restored) instead.")
]
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 422)


def actor(caller: Caller) -> int:
    """The id of the admin making the call."""
    return caller.user.id or 0


@get("/features", responses=responses(401, 403, 422), sync_to_thread=True)
def admin_list_features(
    page: Paging, container: Services, deleted: Deleted = False
) -> Page[FeatureAdminView]:
    """Every live feature, active or not, newest first; with `deleted=true` the deleted ones."""
    found = container.admin_list_features(deleted=deleted, after=page.after, limit=page.limit)
    return page_view(page, found, feature_admin_view)


@post(
    "/features",
    status_code=201,
    responses=WRITE,
    operation_class=body_operation(FEATURE, creating=True),
    sync_to_thread=True,
)
def admin_create_feature(data: Document, caller: Caller, container: Services) -> FeatureAdminView:
    """Add a feature; 409 if a live feature has its name."""
    return feature_admin_view(container.admin_create_feature(actor(caller), data))


@get("/features/{feature_id:int}", responses=READ, sync_to_thread=True)
def admin_get_feature(feature_id: Id, container: Services) -> FeatureAdminView:
    """One feature, active, inactive or deleted."""
    return feature_admin_view(container.admin_get_feature(feature_id))


@patch(
    "/features/{feature_id:int}",
    responses=WRITE,
    operation_class=body_operation(FEATURE, creating=False),
    sync_to_thread=True,
)
def admin_update_feature(
    feature_id: Id, data: Document, caller: Caller, container: Services
) -> FeatureAdminView:
    """Change the fields the body names; 409 on a deleted feature (restore it first)."""
    changed = container.admin_update_feature(actor(caller), feature_id, data)
    return feature_admin_view(changed)


@delete("/features/{feature_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def admin_delete_feature(feature_id: Id, caller: Caller, container: Services) -> None:
    """Delete a feature softly: it leaves the catalog; 409 if it is deleted already."""
    container.admin_delete_feature(actor(caller), feature_id)


@post("/features/{feature_id:int}/restore", status_code=200, responses=WRITE, sync_to_thread=True)
def admin_restore_feature(feature_id: Id, caller: Caller, container: Services) -> FeatureAdminView:
    """Bring a deleted feature back; 409 if it is not deleted or its name is taken."""
    return feature_admin_view(container.admin_restore_feature(actor(caller), feature_id))


@get("/tags", responses=responses(401, 403, 422), sync_to_thread=True)
def admin_list_tags(page: Paging, container: Services) -> Page[TagAdminView]:
    """Every tag, active or not, newest first."""
    found = container.admin_list_tags(after=page.after, limit=page.limit)
    return page_view(page, found, tag_admin_view)


@post(
    "/tags",
    status_code=201,
    responses=WRITE,
    operation_class=body_operation(TAG, creating=True),
    sync_to_thread=True,
)
def admin_create_tag(data: Document, caller: Caller, container: Services) -> TagAdminView:
    """Add a tag; 409 if its name is taken."""
    return tag_admin_view(container.admin_create_tag(actor(caller), data))


@get("/tags/{tag_id:int}", responses=READ, sync_to_thread=True)
def admin_get_tag(tag_id: Id, container: Services) -> TagAdminView:
    """One tag, active or not."""
    return tag_admin_view(container.admin_get_tag(tag_id))


@patch(
    "/tags/{tag_id:int}",
    responses=WRITE,
    operation_class=body_operation(TAG, creating=False),
    sync_to_thread=True,
)
def admin_update_tag(
    tag_id: Id, data: Document, caller: Caller, container: Services
) -> TagAdminView:
    """Change the fields the body names; 409 if the new name is taken."""
    return tag_admin_view(container.admin_update_tag(actor(caller), tag_id, data))


@delete("/tags/{tag_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def admin_delete_tag(tag_id: Id, caller: Caller, container: Services) -> None:
    """Delete a tag for good; its templates lose their `tag_id`."""
    container.admin_delete_tag(actor(caller), tag_id)


router = admin_router(
    [
        admin_list_features, admin_create_feature, admin_get_feature, admin_update_feature,
        admin_delete_feature, admin_restore_feature, admin_list_tags, admin_create_tag,
        admin_get_tag, admin_update_tag, admin_delete_tag,
    ],
    "admin: catalog",
)  # fmt: skip
