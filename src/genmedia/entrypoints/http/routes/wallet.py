"""Wallet (API.md, Wallet; SPEC WAL-1…8): the caller's credits and ledger, credit packs, and
redeeming a coupon or gift-card code."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.params import JSONBody

from genmedia.entrypoints.http.auth import SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.presenters.wallet import (
    CreditPackView,
    RedeemBody,
    RedeemedView,
    TransactionView,
    WalletView,
    credit_pack_view,
    redeemed_view,
    transaction_view,
    wallet_view,
)
from genmedia.entrypoints.http.problems import responses


@get("/wallet", responses=responses(401), sync_to_thread=True)
def wallet(caller: Caller, container: Services) -> WalletView:
    """The caller's balance, held and available credits, and lifetime totals."""
    return wallet_view(container.wallet_of(caller.user.id or 0))


@get("/wallet/transactions", responses=responses(401, 422), sync_to_thread=True)
def transactions(caller: Caller, page: Paging, container: Services) -> Page[TransactionView]:
    """The caller's ledger, newest first."""
    found = container.ledger_of(caller.user.id or 0, after=page.after, limit=page.limit)
    return page_view(page, found, transaction_view)


@idempotent
@post("/wallet/redeem", status_code=200, responses=responses(400, 401, 404, 409, 422),
      sync_to_thread=True)  # fmt: skip
def redeem(data: JSONBody[RedeemBody], caller: Caller, container: Services) -> RedeemedView:
    """Redeem a coupon or gift-card code for credits: 404 unknown, 409 used up or expired."""
    return redeemed_view(container.redeem_code(caller.user.id or 0, data.code))


@get("/credit-packs", responses=responses(401, 422), sync_to_thread=True)
def credit_packs(page: Paging, container: Services) -> Page[CreditPackView]:
    """The credit packs on sale, fewest credits first, valued at the VND↔credits rate."""
    found, rate = (
        container.list_credit_packs(after=page.after, limit=page.limit),
        container.credit_rate(),
    )
    return page_view(page, found, lambda pack: credit_pack_view(pack, rate))


router = Router(
    "/v1",
    route_handlers=[wallet, transactions, redeem, credit_packs],
    tags=["wallet"],
    security=SECURITY,
)
