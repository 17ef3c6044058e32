"""Admin of the catalog (API.md, Admin): templates with their option groups, and provider
models, under /v1/admin.

A template is written with its option groups and options nested; `option_groups` in a
PATCH replaces the whole set. Templates are deleted softly and restored; a provider model
is deleted for good, and only while nothing refers to it (409 otherwise: deactivate it).
"""

from __future__ import annotations

from litestar import delete, get, patch, post

from genmedia.application.admin.catalog_fields import PROVIDER_MODEL, TEMPLATE
from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.admin_bodies import body_operation
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.admin_catalog import (
    ProviderModelAdminView,
    TemplateAdminView,
    provider_model_admin_view,
    template_admin_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.routes.admin_catalog import READ, WRITE, Deleted, Document, actor


@get("/templates", responses=responses(401, 403, 422), sync_to_thread=True)
def admin_list_templates(
    page: Paging, container: Services, deleted: Deleted = False
) -> Page[TemplateAdminView]:
    """Every live template with its option groups, active or not, newest first; with
    `deleted=true` the deleted ones."""
    found = container.admin_list_templates(deleted=deleted, after=page.after, limit=page.limit)
    return page_view(page, found, template_admin_view)


@post(
    "/templates",
    status_code=201,
    responses=WRITE,
    operation_class=body_operation(TEMPLATE, creating=True),
    sync_to_thread=True,
)
def admin_create_template(data: Document, caller: Caller, container: Services) -> TemplateAdminView:
    """Add a template with its option groups; 409 if its slug is taken."""
    return template_admin_view(container.admin_create_template(actor(caller), data))


@get("/templates/{template_id:int}", responses=READ, sync_to_thread=True)
def admin_get_template(template_id: Id, container: Services) -> TemplateAdminView:
    """One template with its option groups, active, inactive or deleted."""
    return template_admin_view(container.admin_get_template(template_id))


@patch(
    "/templates/{template_id:int}",
    responses=WRITE,
    operation_class=body_operation(TEMPLATE, creating=False),
    sync_to_thread=True,
)
def admin_update_template(
    template_id: Id, data: Document, caller: Caller, container: Services
) -> TemplateAdminView:
    """Change the fields the body names (`option_groups` as a whole set); 409 on a deleted
    template (restore it first) or a slug taken."""
    changed = container.admin_update_template(actor(caller), template_id, data)
    return template_admin_view(changed)


@delete("/templates/{template_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def admin_delete_template(template_id: Id, caller: Caller, container: Services) -> None:
    """Delete a template softly: it leaves the catalog; 409 if it is deleted already."""
    container.admin_delete_template(actor(caller), template_id)


@post(
    "/templates/{template_id:int}/restore",
    status_code=200,
    responses=WRITE,
    sync_to_thread=True,
)
def admin_restore_template(
    template_id: Id, caller: Caller, container: Services
) -> TemplateAdminView:
    """Bring a deleted template back; 409 if it is not deleted."""
    return template_admin_view(container.admin_restore_template(actor(caller), template_id))


@get("/provider-models", responses=responses(401, 403, 422), sync_to_thread=True)
def admin_list_provider_models(page: Paging, container: Services) -> Page[ProviderModelAdminView]:
    """Every provider model, active or not, newest first."""
    found = container.admin_list_provider_models(after=page.after, limit=page.limit)
    return page_view(page, found, provider_model_admin_view)


@post(
    "/provider-models",
    status_code=201,
    responses=WRITE,
    operation_class=body_operation(PROVIDER_MODEL, creating=True),
    sync_to_thread=True,
)
def admin_create_provider_model(
    data: Document, caller: Caller, container: Services
) -> ProviderModelAdminView:
    """Add a provider model; 409 if its slug is taken, 422 for a param schema whose rules
    genmedia cannot enforce."""
    return provider_model_admin_view(container.admin_create_provider_model(actor(caller), data))


@get("/provider-models/{model_id:int}", responses=READ, sync_to_thread=True)
def admin_get_provider_model(model_id: Id, container: Services) -> ProviderModelAdminView:
    """One provider model, active or not."""
    return provider_model_admin_view(container.admin_get_provider_model(model_id))


@patch(
    "/provider-models/{model_id:int}",
    responses=WRITE,
    operation_class=body_operation(PROVIDER_MODEL, creating=False),
    sync_to_thread=True,
)
def admin_update_provider_model(
    model_id: Id, data: Document, caller: Caller, container: Services
) -> ProviderModelAdminView:
    """Change the fields the body names; 409 if the new slug is taken."""
    changed = container.admin_update_provider_model(actor(caller), model_id, data)
    return provider_model_admin_view(changed)


@delete("/provider-models/{model_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def admin_delete_provider_model(model_id: Id, caller: Caller, container: Services) -> None:
    """Delete a provider model nothing refers to; 409 while one does (deactivate it)."""
    container.admin_delete_provider_model(actor(caller), model_id)


router = admin_router(
    [
        admin_list_templates, admin_create_template, admin_get_template, admin_update_template,
        admin_delete_template, admin_restore_template, admin_list_provider_models,
        admin_create_provider_model, admin_get_provider_model, admin_update_provider_model,
        admin_delete_provider_model,
    ],
    "admin: catalog",
)  # fmt: skip
