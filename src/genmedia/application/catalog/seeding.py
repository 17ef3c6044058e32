"""Loading the sample catalog and the default admin, idempotently (SPEC CAT-8)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

import attrs

from genmedia.application.catalog import sample_catalog
from genmedia.application.catalog.sample_catalog import FeatureSeed, TemplateSeed
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import ensure_user
from genmedia.application.ports import Clock, PasswordHasher, UnitOfWork
from genmedia.application.settings.defaults import seed_default_settings
from genmedia.domain.catalog import Feature
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.template import Template

S = TypeVar("S")


@attrs.frozen
class SeedReport:
    """How many catalog objects the seed added (0 everywhere on a second run)."""

    provider_models: int
    features: int
    tags: int
    templates: int
    credit_packs: int


def _add_missing(
    seeds: Iterable[S], found: Callable[[S], object], add: Callable[[S], object]
) -> int:
    """Add each seed the catalog does not hold yet; how many were added."""
    added = 0
    for seed in seeds:
        if found(seed) is None:
            add(seed)
            added += 1
    return added


def _feature(uow: UnitOfWork, seed: FeatureSeed, now: datetime) -> Feature:
    model = uow.provider_models.get_by_slug(seed.model)
    return Feature(**seed.fields, provider_model_id=model.id if model else None, created_at=now)


def _template(uow: UnitOfWork, seed: TemplateSeed, now: datetime) -> Template:
    feature = uow.features.get_by_name(seed.feature)
    model = uow.provider_models.get_by_slug(seed.model)
    tag = uow.tags.get_by_name(seed.tag) if seed.tag else None
    if feature is None or feature.id is None:
        raise NotFound("feature", seed.slug)
    return Template(
        feature_id=feature.id,
        provider_model_id=model.id if model else None,
        tag_id=tag.id if tag else None,
        created_at=now,
        **seed.fields,
    )


def _load(uow: UnitOfWork, now: datetime) -> SeedReport:
    catalog = sample_catalog.load()
    models, features, tags = uow.provider_models, uow.features, uow.tags
    added_models = _add_missing(
        catalog.provider_models, lambda m: models.get_by_slug(m.model_slug), models.add
    )
    added_features = _add_missing(
        catalog.features,
        lambda f: features.get_by_name(f.name),
        lambda f: features.add(_feature(uow, f, now)),
    )
    added_tags = _add_missing(catalog.tags, lambda t: tags.get_by_name(t.name), tags.add)
    added_packs = _add_missing(
        catalog.credit_packs, lambda p: uow.credit_packs.get_by_name(p.name), uow.credit_packs.add
    )
    added_templates = _add_missing(
        catalog.templates,
        lambda t: uow.templates.get_by_slug(t.slug),
        lambda t: uow.templates.add(_template(uow, t, now)),
    )
    return SeedReport(
        provider_models=added_models,
        features=added_features,
        tags=added_tags,
        templates=added_templates,
        credit_packs=added_packs,
    )


def seed_catalog(
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    admin_email: str,
    admin_password: str | None = None,
) -> SeedReport:
    """Add whatever part of the sample catalog and the admin user is missing."""
    ensure_user(
        CreateUser(email=admin_email, name="Administrator", password=admin_password, is_admin=True),
        uow=uow,
        hasher=hasher,
        clock=clock,
    )
    for _ in range(2):  # a concurrent seed may win a unique key; the second pass finds it
        try:
            with uow:
                report = _load(uow, clock.now())
                seed_default_settings(uow)
                uow.commit()
            return report
        except AlreadyExists:
            continue
    raise AlreadyExists("catalog", "seed kept colliding with a concurrent seed")
