"""Rows of features, tags and provider models: `<thing>_row` writes, `<thing>_from_row` reads."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.adapters.sql.repositories.base import (
    without_none,
)
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.provider_model import ProviderModel


def provider_model_row(model: ProviderModel) -> dict[str, Any]:
    """The column values of a provider model."""
    return {
        "provider": model.provider,
        "model_slug": model.model_slug,
        "label": model.label,
        "version": model.version,
        "endpoint": model.endpoint,
        "category": model.category,
        "capabilities": model.capabilities,
        "param_schema": model.param_schema,
        "limits": model.limits,
        "cost_per_use": model.cost_per_use,
        "usage_count": model.usage_count,
        "last_used_at": model.last_used_at,
        "is_default": model.is_default,
        "is_active": model.is_active,
        "synced_at": model.synced_at,
    }


def provider_model_from_row(row: sa.Row[Any]) -> ProviderModel:
    """The provider model a row holds."""
    return ProviderModel(
        id=row.id,
        provider=row.provider,
        model_slug=row.model_slug,
        label=row.label,
        version=row.version,
        endpoint=row.endpoint,
        category=row.category,
        capabilities=row.capabilities or {},
        param_schema=row.param_schema or {},
        limits=row.limits or {},
        cost_per_use=row.cost_per_use,
        usage_count=row.usage_count,
        last_used_at=row.last_used_at,
        is_default=row.is_default,
        is_active=row.is_active,
        synced_at=row.synced_at,
    )


def feature_row(feature: Feature) -> dict[str, Any]:
    """The column values of a feature."""
    values = {
        "name": feature.name,
        "category": feature.category,
        "description": feature.description,
        "system_prompt": feature.system_prompt,
        "properties": feature.properties,
        "provider_model_id": feature.provider_model_id,
        "legacy_provider_model_id": feature.legacy_provider_model_id,
        "preview_url": feature.preview_url,
        "icon_url": feature.icon_url,
        "is_active": feature.is_active,
        "order_index": feature.order_index,
        "created_at": feature.created_at,
        "deleted_at": feature.deleted_at,
    }
    return without_none(values, "created_at")


def feature_from_row(row: sa.Row[Any]) -> Feature:
    """The feature a row holds."""
    return Feature(
        id=row.id,
        name=row.name,
        category=row.category,
        description=row.description,
        system_prompt=row.system_prompt,
        properties=row.properties or {},
        provider_model_id=row.provider_model_id,
        legacy_provider_model_id=row.legacy_provider_model_id,
        preview_url=row.preview_url,
        icon_url=row.icon_url,
        is_active=row.is_active,
        order_index=row.order_index,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
    )


def tag_row(tag: Tag) -> dict[str, Any]:
    """The column values of a tag."""
    return {
        "name": tag.name,
        "color_from": tag.color_from,
        "color_to": tag.color_to,
        "icon": tag.icon,
        "sort_order": tag.sort_order,
        "is_active": tag.is_active,
    }


def tag_from_row(row: sa.Row[Any]) -> Tag:
    """The tag a row holds."""
    return Tag(
        id=row.id,
        name=row.name,
        color_from=row.color_from,
        color_to=row.color_to,
        icon=row.icon,
        sort_order=row.sort_order,
        is_active=row.is_active,
    )
