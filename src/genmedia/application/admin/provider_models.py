"""Admin: operators' writes to provider models (SPEC CAT-5), each audited with before and
after. A model's `param_schema` must be one `domain.param_schema` enforces in full.

SPEC gives provider models no soft delete: a model that nothing refers to can be deleted
for good; one in use (by a feature, template, request or trained model) is refused with a
conflict, and is deactivated instead.
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin.audit import audit
from genmedia.application.admin.catalog_fields import PROVIDER_MODEL, state_of
from genmedia.application.admin.documents import read_document
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.provider_model import ProviderModel

ENTITY = "provider_model"


def create_provider_model(
    actor_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> ProviderModel:
    """Add a provider model; AlreadyExists if its slug is taken."""
    model = ProviderModel(**read_document(document, PROVIDER_MODEL, creating=True))
    with uow:
        uow.provider_models.add(model)
        audit(uow, actor_id, "create", ENTITY, model.id, None, state_of(model), clock.now())
        uow.commit()
    return model


def get_provider_model(model_id: int, *, uow: UnitOfWork) -> ProviderModel:
    """A provider model, active or not; NotFound."""
    with uow:
        return uow.provider_models.get(model_id)


def list_provider_models(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ProviderModel]:
    """Every provider model, active or not, newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.provider_models.page(after=after, limit=limit + 1)
    return page_of(rows, limit, lambda m: (m.id or 0,))


def update_provider_model(
    actor_id: int, model_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> ProviderModel:
    """Change the fields the document names; the others stay as they are."""
    changes = read_document(document, PROVIDER_MODEL, creating=False)
    with uow:
        model = uow.provider_models.lock(model_id)
        before = state_of(model)
        model.revise(**changes)
        if state_of(model) != before:
            uow.provider_models.save(model)
            audit(uow, actor_id, "update", ENTITY, model_id, before, state_of(model), clock.now())
            uow.commit()
    return model


def delete_provider_model(actor_id: int, model_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Delete a provider model that nothing refers to; InUse otherwise."""
    with uow:
        before = state_of(uow.provider_models.lock(model_id))
        uow.provider_models.remove(model_id)
        audit(uow, actor_id, "delete", ENTITY, model_id, before, None, clock.now())
        uow.commit()
