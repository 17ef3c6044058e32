"""Loading the sample catalog and the default admin, idempotently (SPEC CAT-8)."""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.application.catalog import seed_data
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import ensure_user
from genmedia.application.ports import Clock, PasswordHasher, UnitOfWork
from genmedia.domain.errors import AlreadyExists, NotFound
from genmedia.domain.template import Template


@attrs.frozen
class SeedReport:
    """How many catalog objects the seed added (0 everywhere on a second run)."""

    provider_models: int
    features: int
    tags: int
    templates: int
    credit_packs: int


def _load(uow: UnitOfWork, now: Any) -> SeedReport:
    added = {"provider_models": 0, "features": 0, "tags": 0, "templates": 0, "credit_packs": 0}
    for new_model in seed_data.provider_models():
        if uow.provider_models.get_by_slug(new_model.model_slug) is None:
            uow.provider_models.add(new_model)
            added["provider_models"] += 1
    for feature, model_slug in seed_data.features():
        if uow.features.get_by_name(feature.name) is None:
            model = uow.provider_models.get_by_slug(model_slug)
            feature.provider_model_id = model.id if model else None
            feature.created_at = now
            uow.features.add(feature)
            added["features"] += 1
    for tag in seed_data.tags():
        if uow.tags.get_by_name(tag.name) is None:
            uow.tags.add(tag)
            added["tags"] += 1
    for pack in seed_data.credit_packs():
        if uow.credit_packs.get_by_name(pack.name) is None:
            uow.credit_packs.add(pack)
            added["credit_packs"] += 1
    for spec in seed_data.templates():
        if uow.templates.get_by_slug(spec["slug"]) is None:
            uow.templates.add(_template(uow, dict(spec), now))
            added["templates"] += 1
    return SeedReport(**added)


def _template(uow: UnitOfWork, spec: dict[str, Any], now: Any) -> Template:
    feature = uow.features.get_by_name(spec.pop("feature"))
    model = uow.provider_models.get_by_slug(spec.pop("model"))
    tag_name = spec.pop("tag")
    tag = uow.tags.get_by_name(tag_name) if tag_name else None
    if feature is None or feature.id is None:
        raise NotFound("feature", spec["slug"])
    return Template(
        feature_id=feature.id,
        provider_model_id=model.id if model else None,
        tag_id=tag.id if tag else None,
        created_at=now,
        **spec,
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
                uow.commit()
            return report
        except AlreadyExists:
            continue
    raise AlreadyExists("catalog", "seed kept colliding with a concurrent seed")
