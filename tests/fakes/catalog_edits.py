"""Fakes of the operators' edits of the catalog (ports/catalog_edits.py), mixed into the
catalog fakes."""

from __future__ import annotations

import copy

from genmedia.application.ports.catalog_edits import (
    FeatureEdits,
    OrderKey,
    ProviderModelEdits,
    TagEdits,
    TemplateEdits,
)
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.errors import AlreadyExists, InUse, NotFound
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template
from tests.fakes.base import Repo, keyed


def _newest(items: list[object], after: OrderKey | None, limit: int) -> list[object]:
    return keyed(items, lambda i: (getattr(i, "id", 0) or 0,), after, limit, descending=True)


class FakeFeatureEdits(Repo, FeatureEdits):
    def lock(self, feature_id: int) -> Feature:
        if feature_id not in self.db.features:
            raise NotFound("feature", feature_id)
        return self.db.features[feature_id]

    def save(self, feature: Feature) -> None:
        others = self.db.features.values()
        if any(f.name == feature.name and f.id != feature.id and not f.deleted_at for f in others):
            raise AlreadyExists("feature", feature.name)
        self.db.features[feature.id or 0] = feature

    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Feature]:
        found = [f for f in self.db.features.values() if (f.deleted_at is not None) is deleted]
        return _newest(found, after, limit)  # type: ignore[return-value]


class FakeTagEdits(Repo, TagEdits):
    def get(self, tag_id: int) -> Tag:
        if tag_id not in self.db.tags:
            raise NotFound("tag", tag_id)
        return self.db.tags[tag_id]

    def lock(self, tag_id: int) -> Tag:
        return self.get(tag_id)

    def save(self, tag: Tag) -> None:
        if any(t.name == tag.name and t.id != tag.id for t in self.db.tags.values()):
            raise AlreadyExists("tag", tag.name)
        self.db.tags[tag.id or 0] = tag

    def remove(self, tag_id: int) -> None:
        self.get(tag_id)
        del self.db.tags[tag_id]
        for template in self.db.templates.values():
            if template.tag_id == tag_id:
                template.tag_id = None

    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[Tag]:
        return _newest(list(self.db.tags.values()), after, limit)  # type: ignore[return-value]


class FakeTemplateEdits(Repo, TemplateEdits):
    def lock(self, template_id: int) -> Template:
        if template_id not in self.db.templates:
            raise NotFound("template", template_id)
        return copy.deepcopy(self.db.templates[template_id])

    def save(self, template: Template, *, option_groups: bool = False) -> Template:
        others = [t for t in self.db.templates.values() if t.id != template.id]
        if any(t.slug == template.slug for t in others):
            raise AlreadyExists("template", template.slug)
        stored = copy.deepcopy(template)
        if not option_groups:
            stored.option_groups = self.db.templates[template.id or 0].option_groups
        self.db.templates[template.id or 0] = stored
        return template

    def page(
        self, *, deleted: bool = False, after: OrderKey | None = None, limit: int = 20
    ) -> list[Template]:
        found = [t for t in self.db.templates.values() if (t.deleted_at is not None) is deleted]
        return _newest(copy.deepcopy(found), after, limit)  # type: ignore[return-value]


class FakeProviderModelEdits(Repo, ProviderModelEdits):
    def lock(self, model_id: int) -> ProviderModel:
        if model_id not in self.db.models:
            raise NotFound("provider model", model_id)
        return self.db.models[model_id]

    def save(self, model: ProviderModel) -> None:
        others = [m for m in self.db.models.values() if m.id != model.id]
        if any(m.model_slug == model.model_slug for m in others):
            raise AlreadyExists("provider model", model.model_slug)
        self.db.models[model.id or 0] = model

    def remove(self, model_id: int) -> None:
        self.lock(model_id)
        users = [*self.db.features.values(), *self.db.templates.values()]
        if any(model_id in (u.provider_model_id, u.legacy_provider_model_id) for u in users):
            raise InUse("provider model", model_id, "features or templates")
        del self.db.models[model_id]

    def page(self, *, after: OrderKey | None = None, limit: int = 20) -> list[ProviderModel]:
        return _newest(list(self.db.models.values()), after, limit)  # type: ignore[return-value]
