"""Admin: settings (API.md, Admin; SPEC CAT-7). Encrypted values are write-only: no answer
holds one, "***" stands in its place; every write is in the audit log, masked likewise."""

from __future__ import annotations

from typing import Annotated

import attrs
from litestar import delete, get, patch, post
from litestar.params import JSONBody, Parameter

from genmedia.application.settings.commands import DefineSetting
from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.presenters.settings import (
    SettingBody,
    SettingChangesBody,
    SettingView,
    setting_view,
)
from genmedia.entrypoints.http.problems import responses

PATH = "/settings/{key:str}"
Key = Annotated[str, Parameter(min_length=1, max_length=128, description="The setting's key.")]


@get("/settings", responses=responses(401, 403, 422), sync_to_thread=True)
def list_settings(page: Paging, container: Services) -> Page[SettingView]:
    """Every setting, oldest first; encrypted values as "***"."""
    found = container.list_settings(after=page.after, limit=page.limit)
    return page_view(page, found, setting_view)


@post(
    "/settings",
    status_code=201,
    responses=responses(401, 403, 409, 422),
    sync_to_thread=True,
)
def create_setting(data: JSONBody[SettingBody], caller: Caller, container: Services) -> SettingView:
    """Add a setting; 409 if its key is taken. A key named like a credential (…_api_key,
    …_secret, …_token, …_password) must be encrypted."""
    command = DefineSetting(**attrs.asdict(data, recurse=False))
    return setting_view(container.create_setting(command, actor_id=caller.user.id))


@get(PATH, responses=responses(401, 403, 404, 422), sync_to_thread=True)
def get_setting(key: Key, container: Services) -> SettingView:
    """One setting; an encrypted value as "***"."""
    return setting_view(container.get_setting(key))


@patch(PATH, responses=responses(401, 403, 404, 409, 422), sync_to_thread=True)
def revise_setting(
    key: Key, data: JSONBody[SettingChangesBody], caller: Caller, container: Services
) -> SettingView:
    """Change some fields; turning encryption off needs a new value. 409 if the stored
    encrypted value no configured key decrypts (give a new value)."""
    changed = container.revise_setting(key, data.changes(), actor_id=caller.user.id)
    return setting_view(changed)


@delete(PATH, status_code=204, responses=responses(401, 403, 404, 422), sync_to_thread=True)
def delete_setting(key: Key, caller: Caller, container: Services) -> None:
    """Delete a setting."""
    container.delete_setting(key, actor_id=caller.user.id)


router = admin_router(
    [list_settings, create_setting, get_setting, revise_setting, delete_setting], "admin"
)
