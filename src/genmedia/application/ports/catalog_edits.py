"""What operators' edits of the catalog need of its stores (API.md, Admin): every object,
active or not, paged newest first (key (id,)); one locked for an edit; its edit written."""

from __future__ import annotations

import abc

from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template

OrderKey = tuple[int, ...]


class FeatureEdits(abc.ABC):
    """Operators' edits of features."""

    @abc.abstractmethod
    def lock(self, feature_id: int) -> Feature:
        """The feature, deleted or not, locked against other edits until the transaction
        ends; NotFound."""

    @abc.abstractmethod
    def save(self, feature: Feature) -> None:
        """Write back a locked feature's editable fields and deletion; AlreadyExists if a
        live feature has its name."""

    @abc.abstractmethod
    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Feature]:
        """Live features, active or not (with `deleted`, the deleted ones), newest first."""


class TagEdits(abc.ABC):
    """Operators' edits of tags, which are removed for good."""

    @abc.abstractmethod
    def get(self, tag_id: int) -> Tag:
        """The tag, active or not; NotFound."""

    @abc.abstractmethod
    def lock(self, tag_id: int) -> Tag:
        """The tag, locked against other edits until the transaction ends; NotFound."""

    @abc.abstractmethod
    def save(self, tag: Tag) -> None:
        """Write back a locked tag's editable fields; AlreadyExists if its name is taken."""

    @abc.abstractmethod
    def remove(self, tag_id: int) -> None:
        """Delete the tag; its templates keep their `tags` texts but lose their `tag_id`."""

    @abc.abstractmethod
    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[Tag]:
        """Every tag, active or not, newest first."""


class TemplateEdits(abc.ABC):
    """Operators' edits of templates and their option groups."""

    @abc.abstractmethod
    def lock(self, template_id: int) -> Template:
        """The template with its option groups, deleted or not, locked against other edits
        until the transaction ends; NotFound."""

    @abc.abstractmethod
    def save(self, template: Template, *, option_groups: bool = False) -> Template:
        """Write back a locked template's editable fields and deletion, and with
        `option_groups` replace its stored groups by the template's; the template as stored
        (its options with new ids). AlreadyExists if its slug is taken."""

    @abc.abstractmethod
    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Template]:
        """Live templates, active or not (with `deleted`, the deleted ones), with their
        option groups, newest first."""


class ProviderModelEdits(abc.ABC):
    """Operators' edits of provider models, which are removed for good when unused."""

    @abc.abstractmethod
    def lock(self, model_id: int) -> ProviderModel:
        """The model, locked against other edits until the transaction ends; NotFound."""

    @abc.abstractmethod
    def save(self, model: ProviderModel) -> None:
        """Write back a locked model's editable fields; AlreadyExists if its slug is taken."""

    @abc.abstractmethod
    def remove(self, model_id: int) -> None:
        """Delete the model; InUse while a feature, template, request or trained model
        refers to it."""

    @abc.abstractmethod
    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[ProviderModel]:
        """Every model, active or not, newest first."""
