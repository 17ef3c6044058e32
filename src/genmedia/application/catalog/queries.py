"""Read-side use cases of the catalog: features, tags and provider models (SPEC CAT-1…5)."""

from __future__ import annotations

from genmedia.application.inputs import choice_of
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import UnitOfWork
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import NotFound
from genmedia.domain.provider_model import ModelCategory, ProviderModel


def list_features(
    category: MediaCategory | str | None = None,
    *,
    uow: UnitOfWork,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Feature]:
    """Active features, optionally of one category, by order_index."""
    chosen = choice_of(MediaCategory, category, "category")
    check_window(after, limit, 2)
    with uow:
        rows = uow.features.list_active(chosen, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda f: (f.order_index, f.id or 0))


def get_feature(feature_id: int, *, uow: UnitOfWork) -> Feature:
    """An active feature; NotFound for one inactive, deleted or unknown."""
    with uow:
        feature = uow.features.get(feature_id)
    if not feature.is_usable:
        raise NotFound("feature", feature_id)
    return feature


def list_tags(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Tag]:
    """Active tags by sort_order."""
    check_window(after, limit, 2)
    with uow:
        rows = uow.tags.list(after=after, limit=limit + 1)
    return page_of(rows, limit, lambda t: (t.sort_order, t.id or 0))


def list_provider_models(
    category: ModelCategory | str | None = None,
    *,
    uow: UnitOfWork,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ProviderModel]:
    """Active provider models, optionally of one category, by id."""
    chosen = choice_of(ModelCategory, category, "category")
    check_window(after, limit, 1)
    with uow:
        rows = uow.provider_models.list_active(chosen, after=after, limit=limit + 1)
    return page_of(rows, limit, lambda m: (m.id or 0,))
