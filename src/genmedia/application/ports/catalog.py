"""Ports of the catalog: features, tags, templates, provider and trained models."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import datetime

import attrs

from genmedia.application.ports.catalog_edits import (
    FeatureEdits,
    ProviderModelEdits,
    TagEdits,
    TemplateEdits,
)
from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.provider_model import ModelCategory, ProviderModel
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.trending import TrendWindow

OrderKey = tuple[int, ...]


@attrs.frozen(kw_only=True)
class TemplateSearch:
    """Which templates a catalog listing shows: all active ones, or those of a feature or a
    tag, those whose tags array holds `tag`, or whose name or description contains `q`
    (ignoring case); newest first, or by trend score when `trending`."""

    feature_id: int | None = None
    tag_id: int | None = None
    tag: str | None = None
    q: str | None = None
    trending: bool = False


class FeatureRepository(FeatureEdits):
    """Features of the catalog."""

    @abc.abstractmethod
    def add(self, feature: Feature) -> Feature:
        """Insert a feature and give it its id; AlreadyExists if a live one has its name."""

    @abc.abstractmethod
    def get(self, feature_id: int) -> Feature:
        """The feature with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Feature | None:
        """The live feature with this name, if any."""

    @abc.abstractmethod
    def list_active(
        self,
        category: MediaCategory | None = None,
        *,
        after: OrderKey | None = None,
        limit: int | None = None,
    ) -> list[Feature]:
        """Active features, optionally of one category, by (order_index, id), from after the
        key `after`, at most `limit` of them."""


class TagRepository(TagEdits):
    """Tags of the catalog."""

    @abc.abstractmethod
    def add(self, tag: Tag) -> Tag:
        """Insert a tag and give it its id."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Tag | None:
        """The tag with this name, if any."""

    @abc.abstractmethod
    def list(self, *, after: OrderKey | None = None, limit: int | None = None) -> list[Tag]:
        """Active tags by (sort_order, id), from after the key `after`, at most `limit`."""


class TemplateRepository(TemplateEdits):
    """Templates with their option groups."""

    @abc.abstractmethod
    def add(self, template: Template) -> Template:
        """Insert a template and its option groups; AlreadyExists if the slug is taken."""

    @abc.abstractmethod
    def get(self, template_id: int) -> Template:
        """The template with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_slug(self, slug: str) -> Template | None:
        """The live template with this slug, if any."""

    @abc.abstractmethod
    def list_active(self, feature_id: int | None = None) -> list[Template]:
        """Active templates, optionally of one feature, by order_index."""

    @abc.abstractmethod
    def search(
        self, search: TemplateSearch, *, after: OrderKey | None = None, limit: int = 20
    ) -> list[Template]:
        """Active templates the search selects, without their option groups, at most
        `limit`: by id descending (key (id,)), or with `trending` by trend score then id,
        both descending (key (trend_score, id)), from after the key `after`."""


class ProviderModelRepository(ProviderModelEdits):
    """Provider models."""

    @abc.abstractmethod
    def add(self, model: ProviderModel) -> ProviderModel:
        """Insert a provider model; AlreadyExists if the slug is taken."""

    @abc.abstractmethod
    def get(self, model_id: int) -> ProviderModel:
        """The provider model with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_slug(self, slug: str) -> ProviderModel | None:
        """The provider model with this slug, if any."""

    @abc.abstractmethod
    def get_default(self) -> ProviderModel | None:
        """The active model marked default, if any."""

    @abc.abstractmethod
    def save_schema(self, model: ProviderModel) -> None:
        """Write back the model's param schema and when it was synced; NotFound if gone."""

    @abc.abstractmethod
    def list_active(
        self,
        category: ModelCategory | None = None,
        *,
        after: OrderKey | None = None,
        limit: int | None = None,
    ) -> list[ProviderModel]:
        """Active models, optionally of one category, by id, from after the key `after`
        ((id,)), at most `limit`."""


class TrendRepository(abc.ABC):
    """Views and uses of templates, counted per hour, and the trend scores made of them."""

    @abc.abstractmethod
    def count(self, template_id: int, hour: datetime, *, views: int = 0, uses: int = 0) -> None:
        """Add views and uses to the template's counts and to its activity of `hour`, each
        as one atomic increment in the database."""

    @abc.abstractmethod
    def windows(self, since: datetime) -> list[TrendWindow]:
        """Every template with activity from `since` on or a trend score other than 0,
        with that activity, its trend dates and its stored score."""

    @abc.abstractmethod
    def write_scores(self, scores: Mapping[int, int]) -> None:
        """Store these trend scores (template id → score)."""

    @abc.abstractmethod
    def prune(self, before: datetime) -> int:
        """Forget the activity of hours before `before`; how many hours of templates."""


class TrainedModelRepository(abc.ABC):
    """Trained models (LoRA); deleted ones are never found."""

    @abc.abstractmethod
    def add(self, model: TrainedModel) -> TrainedModel:
        """Insert a trained model; AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def get(self, model_id: int, *, for_update: bool = False) -> TrainedModel:
        """The live trained model with this id, or NotFound; locked until the transaction
        ends if `for_update` (a load that will be saved)."""

    @abc.abstractmethod
    def save(self, model: TrainedModel) -> None:
        """Write back a loaded model (status, URLs, visibility, price…); NotFound if gone,
        AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def get_by_training(self, request_id: int) -> TrainedModel:
        """The live model that the request `request_id` trains, or NotFound."""

    @abc.abstractmethod
    def list_for_owner(
        self, owner_id: int, limit: int = 50, *, after: int | None = None
    ) -> list[TrainedModel]:
        """The owner's live models in any status, newest first; those with an id below
        `after` when it is given."""

    @abc.abstractmethod
    def list_public(self, limit: int = 50, *, after: int | None = None) -> list[TrainedModel]:
        """Live public models that are completed, newest first; those with an id below
        `after` when it is given."""
