"""Ports of the catalog: features, tags, templates, provider and trained models."""

from __future__ import annotations

import abc

from genmedia.domain.catalog import Feature, MediaCategory, Tag
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template
from genmedia.domain.trained_model import TrainedModel


class FeatureRepository(abc.ABC):
    """Features of the catalog."""

    @abc.abstractmethod
    def add(self, feature: Feature) -> Feature:
        """Insert a feature and give it its id."""

    @abc.abstractmethod
    def get(self, feature_id: int) -> Feature:
        """The feature with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Feature | None:
        """The live feature with this name, if any."""

    @abc.abstractmethod
    def list_active(self, category: MediaCategory | None = None) -> list[Feature]:
        """Active features, optionally of one category, by order_index."""


class TagRepository(abc.ABC):
    """Tags of the catalog."""

    @abc.abstractmethod
    def add(self, tag: Tag) -> Tag:
        """Insert a tag and give it its id."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> Tag | None:
        """The tag with this name, if any."""

    @abc.abstractmethod
    def list(self) -> list[Tag]:
        """Active tags by sort_order."""


class TemplateRepository(abc.ABC):
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


class ProviderModelRepository(abc.ABC):
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


class TrainedModelRepository(abc.ABC):
    """Trained models (LoRA); deleted ones are never found."""

    @abc.abstractmethod
    def add(self, model: TrainedModel) -> TrainedModel:
        """Insert a trained model; AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def get(self, model_id: int) -> TrainedModel:
        """The live trained model with this id, or NotFound."""

    @abc.abstractmethod
    def save(self, model: TrainedModel) -> None:
        """Write back a loaded model (status, URLs, visibility, price…); NotFound if gone,
        AlreadyExists if its weights or config URL is taken."""

    @abc.abstractmethod
    def list_for_owner(self, owner_id: int, limit: int = 50) -> list[TrainedModel]:
        """The owner's live models in any status, newest first."""

    @abc.abstractmethod
    def list_public(self, limit: int = 50) -> list[TrainedModel]:
        """Live public models that are completed, newest first."""
