"""Catalog (API.md, Catalog; SPEC CAT-1…6): features, tags, templates, provider models.

Catalog reads need no token (they are limited per client address). Reading one template
counts a view; the trend score a listing orders by is stored, recomputed periodically.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import FromPath, QueryParameter

from genmedia.application.ports import TemplateSearch
from genmedia.domain.catalog import MediaCategory
from genmedia.domain.provider_model import ModelCategory
from genmedia.entrypoints.http.auth import ANONYMOUS
from genmedia.entrypoints.http.dependencies import Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import MAX_ID, Id
from genmedia.entrypoints.http.presenters.catalog import (
    FeatureView,
    ProviderModelView,
    TagView,
    TemplateCard,
    TemplateView,
    feature_view,
    provider_model_view,
    tag_view,
    template_card,
    template_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses

OptionalId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Category = Annotated[MediaCategory | None, QueryParameter(description="image, video or audio.")]
ModelKind = Annotated[ModelCategory | None, QueryParameter(description="What the model does.")]


@get("/features", responses=responses(422), sync_to_thread=True)
def list_features(
    page: Paging, container: Services, category: Category = None
) -> Page[FeatureView]:
    """Active features, optionally of one category, by order_index."""
    found = container.list_features(category, after=page.after, limit=page.limit)
    return page_view(page, found, feature_view)


@get("/features/{feature_id:int}", responses=responses(404, 422), sync_to_thread=True)
def get_feature(feature_id: Id, container: Services) -> FeatureView:
    """One active feature."""
    return feature_view(container.get_feature(feature_id))


@get("/tags", responses=responses(422), sync_to_thread=True)
def list_tags(page: Paging, container: Services) -> Page[TagView]:
    """Active tags by sort_order."""
    return page_view(page, container.list_tags(after=page.after, limit=page.limit), tag_view)


@get("/templates", responses=responses(422), sync_to_thread=True)
def list_templates(
    page: Paging,
    container: Services,
    feature_id: OptionalId = None,
    tag_id: OptionalId = None,
    tag: Annotated[str | None, QueryParameter(max_length=64, description="One of `tags`.")] = None,
    q: Annotated[
        str | None, QueryParameter(max_length=200, description="Text in the name or description.")
    ] = None,
    trending: Annotated[bool, QueryParameter(description="Order by trend score.")] = False,
) -> Page[TemplateCard]:
    """Active templates, newest first, or by trend score with `trending=true`."""
    search = TemplateSearch(feature_id=feature_id, tag_id=tag_id, tag=tag, q=q, trending=trending)
    found = container.list_templates(search, after=page.after, limit=page.limit)
    return page_view(page, found, template_card)


def template_key(key: str) -> int | str:
    """An id when the path segment is all digits (0 where no id can be), else a slug."""
    if not key.isascii() or not key.isdigit():
        return key
    number = int(key)
    return number if number <= MAX_ID else 0


@get("/templates/{key:str}", responses=responses(404), sync_to_thread=True)
def get_template(key: FromPath[str], container: Services) -> TemplateView:
    """One active template with its option groups; counts one view."""
    return template_view(container.view_template(template_key(key)))


@get("/provider-models", responses=responses(422), sync_to_thread=True)
def list_provider_models(
    page: Paging, container: Services, category: ModelKind = None
) -> Page[ProviderModelView]:
    """Active provider models, optionally of one category, by id."""
    found = container.list_provider_models(category, after=page.after, limit=page.limit)
    return page_view(page, found, provider_model_view)


router = Router(
    "/v1",
    route_handlers=[
        list_features, get_feature, list_tags, list_templates, get_template, list_provider_models
    ],
    tags=["catalog"],
    opt={ANONYMOUS: True},
)  # fmt: skip
