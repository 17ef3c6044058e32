"""Fakes of the catalog ports."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.application.errors import ProviderError
from genmedia.application.ports import (
    FeatureRepository,
    ModelSchemaSource,
    ProviderModelRepository,
    TagRepository,
    TemplateRepository,
    TemplateSearch,
    TrainedModelRepository,
    TrendRepository,
)
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.errors import (
    AlreadyExists,
    NotFound,
)
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel, TrainedModelStatus
from genmedia.domain.trending import Activity, TrendWindow
from tests.fakes.base import Repo, keyed
from tests.fakes.catalog_edits import (
    FakeFeatureEdits,
    FakeProviderModelEdits,
    FakeTagEdits,
    FakeTemplateEdits,
)


class FakeFeatureRepository(FakeFeatureEdits, FeatureRepository):
    def add(self, feature: Feature) -> Feature:
        feature.id = self._new_id()
        self.db.features[feature.id] = feature
        return feature

    def get(self, feature_id: int) -> Feature:
        if feature_id not in self.db.features:
            raise NotFound("feature", feature_id)
        return self.db.features[feature_id]

    def get_by_name(self, name: str) -> Feature | None:
        return next((f for f in self.db.features.values() if f.name == name), None)

    def list_active(
        self,
        category: MediaCategory | None = None,
        *,
        after: tuple[int, ...] | None = None,
        limit: int | None = None,
    ) -> list[Feature]:
        found = [f for f in self.db.features.values() if f.is_usable]
        found = [f for f in found if category is None or f.category is category]
        return keyed(found, lambda f: (f.order_index, f.id or 0), after, limit)


class FakeTagRepository(FakeTagEdits, TagRepository):
    def add(self, tag: Tag) -> Tag:
        if self.get_by_name(tag.name):
            raise AlreadyExists("tag", tag.name)
        tag.id = self._new_id()
        self.db.tags[tag.id] = tag
        return tag

    def get_by_name(self, name: str) -> Tag | None:
        return next((t for t in self.db.tags.values() if t.name == name), None)

    def list(self, *, after: tuple[int, ...] | None = None, limit: int | None = None) -> list[Tag]:
        active = [t for t in self.db.tags.values() if t.is_active]
        return keyed(active, lambda t: (t.sort_order, t.id or 0), after, limit)


class FakeTemplateRepository(FakeTemplateEdits, TemplateRepository):
    def add(self, template: Template) -> Template:
        if self.get_by_slug(template.slug):
            raise AlreadyExists("template", template.slug)
        template.id = self._new_id()
        self.db.templates[template.id] = template
        return template

    def get(self, template_id: int) -> Template:
        if template_id not in self.db.templates:
            raise NotFound("template", template_id)
        return copy.deepcopy(self.db.templates[template_id])

    def get_by_slug(self, slug: str) -> Template | None:
        found = (t for t in self.db.templates.values() if t.slug == slug and not t.deleted_at)
        return copy.deepcopy(next(found, None))

    def list_active(self, feature_id: int | None = None) -> list[Template]:
        found = [t for t in self.db.templates.values() if t.is_usable]
        return [t for t in found if feature_id is None or t.feature_id == feature_id]

    def search(
        self, search: TemplateSearch, *, after: tuple[int, ...] | None = None, limit: int = 20
    ) -> list[Template]:
        found = [
            attrs.evolve(t, option_groups=())
            for t in self.db.templates.values()
            if t.is_usable and _selects(search, t)
        ]
        if search.trending:
            return keyed(found, lambda t: (t.trend_score, t.id or 0), after, limit, descending=True)
        return keyed(found, lambda t: (t.id or 0,), after, limit, descending=True)


class FakeProviderModelRepository(FakeProviderModelEdits, ProviderModelRepository):
    def add(self, model: ProviderModel) -> ProviderModel:
        if self.get_by_slug(model.model_slug):
            raise AlreadyExists("provider model", model.model_slug)
        model.id = self._new_id()
        self.db.models[model.id] = model
        return model

    def get(self, model_id: int) -> ProviderModel:
        if model_id not in self.db.models:
            raise NotFound("provider model", model_id)
        return self.db.models[model_id]

    def get_by_slug(self, slug: str) -> ProviderModel | None:
        return next((m for m in self.db.models.values() if m.model_slug == slug), None)

    def get_default(self) -> ProviderModel | None:
        return next((m for m in self.db.models.values() if m.is_default and m.is_active), None)

    def save_schema(self, model: ProviderModel) -> None:
        stored = self.get(model.id or 0)
        stored.param_schema, stored.synced_at = model.param_schema, model.synced_at

    def list_active(
        self,
        category: ModelCategory | None = None,
        *,
        after: tuple[int, ...] | None = None,
        limit: int | None = None,
    ) -> list[ProviderModel]:
        found = [m for m in self.db.models.values() if m.is_active]
        found = [m for m in found if category is None or m.category is category]
        return keyed(found, lambda m: (m.id or 0,), after, limit)


class FakeTrendRepository(Repo, TrendRepository):
    def count(self, template_id: int, hour: datetime, *, views: int = 0, uses: int = 0) -> None:
        template = self.db.templates[template_id]
        template.view_count += views
        template.usage_count += uses
        was = self.db.activity.get((template_id, hour), Activity(hour=hour))
        now = Activity(hour=hour, views=was.views + views, uses=was.uses + uses)
        self.db.activity[(template_id, hour)] = now

    def windows(self, since: datetime) -> list[TrendWindow]:
        activity: dict[int, list[Activity]] = {}
        for (template_id, hour), counted in sorted(self.db.activity.items()):
            if hour >= since:
                activity.setdefault(template_id, []).append(counted)
        return [
            TrendWindow(
                template_id=t.id or 0,
                score=t.trend_score,
                start=t.trend_start_date,
                end=t.trend_end_date,
                activity=tuple(activity.get(t.id or 0, [])),
            )
            for t in self.db.templates.values()
            if t.trend_score != 0 or (t.id or 0) in activity
        ]

    def write_scores(self, scores: Mapping[int, int]) -> None:
        for template_id, score in scores.items():
            self.db.templates[template_id].trend_score = score

    def prune(self, before: datetime) -> int:
        old = [key for key in self.db.activity if key[1] < before]
        for key in old:
            del self.db.activity[key]
        return len(old)


def _selects(search: TemplateSearch, template: Template) -> bool:
    q = search.q.lower() if search.q else None
    return (
        (search.feature_id is None or template.feature_id == search.feature_id)
        and (search.tag_id is None or template.tag_id == search.tag_id)
        and (search.tag is None or search.tag in template.tags)
        and (q is None or q in template.name.lower() or q in (template.description or "").lower())
    )


class FakeTrainedModelRepository(Repo, TrainedModelRepository):
    def _check_urls(self, model: TrainedModel) -> None:
        for other in self.db.trained_models.values():
            if other.id == model.id:
                continue
            for url in (model.weights_url, model.config_url):
                if url is not None and url in (other.weights_url, other.config_url):
                    raise AlreadyExists("trained model", url)

    def add(self, model: TrainedModel) -> TrainedModel:
        self._check_urls(model)
        model.id, model.created_at = self._new_id(), model.created_at or self.db.now
        self.db.trained_models[model.id] = copy.deepcopy(model)
        return model

    def get(self, model_id: int, *, for_update: bool = False) -> TrainedModel:
        found = self.db.trained_models.get(model_id)
        if found is None or found.deleted_at is not None:
            raise NotFound("trained model", model_id)
        return copy.deepcopy(found)

    def save(self, model: TrainedModel) -> None:
        self.get(model.id or 0)
        self._check_urls(model)
        self.db.trained_models[model.id or 0] = copy.deepcopy(model)

    def _live(self) -> list[TrainedModel]:
        live = [m for m in self.db.trained_models.values() if m.deleted_at is None]
        return copy.deepcopy(sorted(live, key=lambda m: -(m.id or 0)))

    def get_by_training(self, request_id: int) -> TrainedModel:
        for model in self._live():
            if model.training_request_id == request_id:
                return model
        raise NotFound("trained model", request_id)

    def _after(self, after: int | None) -> list[TrainedModel]:
        return [m for m in self._live() if after is None or (m.id or 0) < after]

    def list_for_owner(
        self, owner_id: int, limit: int = 50, *, after: int | None = None
    ) -> list[TrainedModel]:
        return [m for m in self._after(after) if m.owner_id == owner_id][:limit]

    def list_public(self, limit: int = 50, *, after: int | None = None) -> list[TrainedModel]:
        done = TrainedModelStatus.COMPLETED
        return [m for m in self._after(after) if m.is_public and m.status is done][:limit]


class FakeSchemaSource(ModelSchemaSource):
    """Publishes the schemas it was given; records each fetch and whether `in_transaction()`
    said a transaction was open at the time."""

    def __init__(
        self,
        provider: str,
        schemas: Mapping[str, dict[str, Any]],
        in_transaction: Callable[[], bool] = lambda: False,
    ) -> None:
        self.provider = provider
        self.schemas = dict(schemas)
        self.in_transaction = in_transaction
        self.fetched: list[tuple[str, bool]] = []

    def input_schema(self, model: str) -> dict[str, Any]:
        self.fetched.append((model, self.in_transaction()))
        if model not in self.schemas:
            raise ProviderError("provider_error", f"{self.provider} has no model {model}")
        return copy.deepcopy(self.schemas[model])
