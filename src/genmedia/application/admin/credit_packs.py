"""Admin: credit packs (SPEC WAL-4), created, listed, changed and taken off sale, audited.

A pack is never deleted: payments and gift cards name it. DELETE takes it off sale
(`is_active` false); a PATCH can put it back. A payment keeps the price and credits it was
started with, so changing a pack changes only the purchases started afterwards.
"""

from __future__ import annotations

from typing import Any

import attrs

from genmedia.application.admin import fields as f
from genmedia.application.admin.audit import audit
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain.purchases import CreditPack

ENTITY = "credit_pack"
FIELDS: dict[str, f.Reader] = {
    "name": f.string,
    "credits": f.whole,
    "price": f.whole,
    "currency": f.string,
    "is_active": f.flag,
}
REQUIRED = ("name", "credits", "price", "currency")


def list_packs(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[CreditPack]:
    """Every pack, on sale or not, newest first."""
    check_window(after, limit, 1)
    with uow:
        rows = uow.credit_packs.page(after, limit + 1)
    return page_of(rows, limit, lambda p: (p.id or 0,))


def get_pack(pack_id: int, *, uow: UnitOfWork) -> CreditPack:
    """The pack with this id, or NotFound."""
    with uow:
        return uow.credit_packs.get(pack_id)


def create_pack(
    actor_id: int | None, document: Any, *, uow: UnitOfWork, clock: Clock
) -> CreditPack:
    """A new pack from an admin's document; AlreadyExists if its name is taken."""
    pack = CreditPack(**f.read(document, FIELDS, REQUIRED))
    with uow:
        uow.credit_packs.add(pack)
        audit(uow, actor_id, "create", ENTITY, pack.id, None, f.state_of(pack), clock.now())
        uow.commit()
    return pack


def update_pack(
    actor_id: int | None, pack_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> CreditPack:
    """Change the fields the document names; AlreadyExists if the new name is taken."""
    return _revise(actor_id, pack_id, f.read(document, FIELDS), "update", uow, clock)


def delete_pack(actor_id: int | None, pack_id: int, *, uow: UnitOfWork, clock: Clock) -> None:
    """Take the pack off sale, keeping it for the payments and cards that name it."""
    _revise(actor_id, pack_id, {"is_active": False}, "delete", uow, clock)


def _revise(
    actor_id: int | None,
    pack_id: int,
    changes: dict[str, Any],
    action: str,
    uow: UnitOfWork,
    clock: Clock,
) -> CreditPack:
    with uow:
        pack = uow.credit_packs.get(pack_id)
        revised = attrs.evolve(pack, **changes)
        before, after = f.state_of(pack), f.state_of(revised)
        if before == after:
            return revised
        uow.credit_packs.save(revised)
        audit(uow, actor_id, action, ENTITY, pack_id, before, after, clock.now())
        uow.commit()
    return revised
