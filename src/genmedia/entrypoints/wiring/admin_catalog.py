"""Admin of the catalog (API.md, Admin): operators' writes to features, templates, tags and
provider models, each audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dependency_injector import providers

from genmedia.application.admin import features, provider_models, tags, templates
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow
clock = Infrastructure.clock
T = TypeVar("T")


def _read(function: Callable[..., T]) -> providers.Callable[T]:
    return providers.Callable(function, uow=uow)


def _write(function: Callable[..., T]) -> providers.Callable[T]:
    return providers.Callable(function, uow=uow, clock=clock)


class AdminCatalogServices(Infrastructure):
    """Creating, reading, changing, deleting and restoring catalog objects as an admin."""

    admin_create_feature = _write(features.create_feature)
    admin_get_feature = _read(features.get_feature)
    admin_list_features = _read(features.list_features)
    admin_update_feature = _write(features.update_feature)
    admin_delete_feature = _write(features.delete_feature)
    admin_restore_feature = _write(features.restore_feature)
    admin_create_tag = _write(tags.create_tag)
    admin_get_tag = _read(tags.get_tag)
    admin_list_tags = _read(tags.list_tags)
    admin_update_tag = _write(tags.update_tag)
    admin_delete_tag = _write(tags.delete_tag)
    admin_create_template = _write(templates.create_template)
    admin_get_template = _read(templates.get_template)
    admin_list_templates = _read(templates.list_templates)
    admin_update_template = _write(templates.update_template)
    admin_delete_template = _write(templates.delete_template)
    admin_restore_template = _write(templates.restore_template)
    admin_create_provider_model = _write(provider_models.create_provider_model)
    admin_get_provider_model = _read(provider_models.get_provider_model)
    admin_list_provider_models = _read(provider_models.list_provider_models)
    admin_update_provider_model = _write(provider_models.update_provider_model)
    admin_delete_provider_model = _write(provider_models.delete_provider_model)
