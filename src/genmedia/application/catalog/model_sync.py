"""Model sync (SPEC CAT-5): a provider's published input schema becomes a catalog model's
param schema, so requests are checked against what the provider really accepts."""

from __future__ import annotations

from collections.abc import Mapping

from genmedia.application.errors import ProviderError
from genmedia.application.ports import Clock, ModelSchemaSource, UnitOfWork
from genmedia.domain.errors import NotFound
from genmedia.domain.provider_model import ProviderModel


def _catalog_model(uow: UnitOfWork, provider: str, slug: str) -> ProviderModel:
    found = uow.provider_models.get_by_slug(slug)
    if found is None or found.provider != provider:
        raise NotFound(f"{provider} model", slug)
    return found


def sync_model_schema(
    provider: str,
    model: str,
    *,
    sources: Mapping[str, ModelSchemaSource],
    uow: UnitOfWork,
    clock: Clock,
) -> ProviderModel:
    """Store the input schema `provider` publishes for the catalog's `model` as the model's
    param schema. The model must be in the catalog already; the schema is fetched between
    two transactions, never inside one."""
    source = sources.get(provider)
    if source is None:
        raise ProviderError("provider_not_configured", f"provider {provider!r} is not configured")
    with uow:
        _catalog_model(uow, provider, model)
    published = source.input_schema(model)
    with uow:
        synced = _catalog_model(uow, provider, model)
        synced.sync_schema(published, clock.now())
        uow.provider_models.save_schema(synced)
        uow.commit()
    return synced
