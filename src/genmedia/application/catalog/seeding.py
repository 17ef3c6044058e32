"""Loading the sample catalog and the default admin, idempotently (SPEC CAT-8).

The sample catalog is a catalog document (``sample_catalog.json`` in this package), loaded
by the same loader as `genmedia catalog load`, adding only what the catalog lacks: a second
seed, or one after the catalog was edited, changes nothing that is there.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import attrs

from genmedia.application.catalog.loading import load_catalog
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import ensure_user
from genmedia.application.ports import Clock, PasswordHasher, UnitOfWork
from genmedia.application.settings.defaults import seed_default_settings
from genmedia.domain.errors import AlreadyExists


@attrs.frozen
class SeedReport:
    """How many catalog objects the seed added (0 everywhere on a second run)."""

    provider_models: int
    features: int
    tags: int
    templates: int
    credit_packs: int


def sample_document() -> dict[str, Any]:
    """The sample catalog document shipped in the package."""
    package = resources.files("genmedia.application.catalog")
    text = package.joinpath("sample_catalog.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


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
    document = sample_document()
    for _ in range(2):  # a concurrent seed may win a unique key; the second pass finds it
        try:
            report = load_catalog(document, uow=uow, clock=clock, only_missing=True)
        except AlreadyExists:
            continue
        _seed_settings(uow)
        added = {f.name: len(report.sections[f.name].created) for f in attrs.fields(SeedReport)}
        return SeedReport(**added)
    raise AlreadyExists("catalog", "seed kept colliding with a concurrent seed")


def _seed_settings(uow: UnitOfWork) -> None:
    """Add the missing default settings; a concurrent seed that added them first is fine."""
    try:
        with uow:
            seed_default_settings(uow)
            uow.commit()
    except AlreadyExists:
        pass
