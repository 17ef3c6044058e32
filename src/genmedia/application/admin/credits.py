"""Admin: users and their credits: find a user, read their wallet, grant or deduct credits.

A grant or deduction carries the admin's `reference_id`, which applies once per user: the
ledger's unique reference settles it, so the same call sent again (by any admin, at any
time, concurrently) answers the first entry and changes nothing. A deduction takes only
available credits (the balance less what is held for running work); beyond that it is
refused with InsufficientCredits and nothing changes.
"""

from __future__ import annotations

from typing import Any

from genmedia.application.admin import fields as f
from genmedia.application.admin.audit import audit
from genmedia.application.pages import DEFAULT_LIMIT, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import InvalidValue
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryType, LedgerEntry

ADJUSTMENT: dict[str, f.Reader] = {
    "amount": f.whole,
    "reason": f.string,
    "reference_id": f.string,
}
MAX_SEARCH = 254


def list_users(
    *,
    uow: UnitOfWork,
    email: str | None = None,
    after: tuple[int, ...] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[User]:
    """Live users, newest first, whose e-mail contains `email` (in any case) when given."""
    check_window(after, limit, 1)
    if email is not None and len(email) > MAX_SEARCH:
        raise InvalidValue("email", f"must be at most {MAX_SEARCH} characters")
    with uow:
        rows = uow.users.page(after[0] if after else None, limit + 1, email)
    return page_of(rows, limit, lambda u: (u.id or 0,))


def adjust_credits(
    actor_id: int | None, user_id: int, document: Any, *, uow: UnitOfWork, clock: Clock
) -> LedgerEntry:
    """Grant (a positive `amount`) or deduct (a negative one) credits with a reason, once per
    `reference_id`; the ledger entry, the first one on a replay."""
    values = f.read(document, ADJUSTMENT, ADJUSTMENT)
    reference, amount, reason = values["reference_id"], values["amount"], values["reason"]
    posting = postings.admin_adjustment(user_id, reference, amount, reason)
    with uow:
        uow.users.get(user_id)
        entry = uow.wallets.post(user_id, posting)
        if entry.replayed:
            return entry
        action = "grant" if posting.type is EntryType.CREDIT else "deduct"
        before = {"balance": entry.balance_before}
        after = {
            "balance": entry.balance_after,
            "entry_id": entry.id,
            "reference_id": entry.reference_id,
            "reason": entry.reason,
        }
        audit(uow, actor_id, action, "wallet", user_id, before, after, clock.now())
        uow.commit()
    return entry
