"""Payments (API.md, Wallet; SPEC WAL-4, WAL-6): buying credit packs and gift cards, and the
payment providers' webhooks that confirm or refund them.

A webhook is anonymous: its delivery is checked against the raw body by the provider's
verifier before anything in it is read (Stripe's `Stripe-Signature`, Telegram's secret
token). A provider without a configured secret is not enabled: its webhook answers 404.
Deliveries are not rate-limited: a provider sends what its payments produce.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath, JSONBody

from genmedia.entrypoints.http.auth import ANONYMOUS, SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.limits import UNLIMITED
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.payments import (
    GiftCardBody,
    GiftCardView,
    PaymentReceipt,
    PurchaseBody,
    PurchaseView,
    gift_card_view,
    purchase_view,
    receipt,
)
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.threads import in_thread

BODY_LIMIT = 256 * 1024


@idempotent
@post("/purchases", status_code=201, responses=responses(400, 401, 404, 409, 422),
      sync_to_thread=True)  # fmt: skip
def start_purchase(
    data: JSONBody[PurchaseBody], caller: Caller, container: Services
) -> PurchaseView:
    """Start buying a credit pack, less a discount coupon: pending until the provider's
    webhook confirms the payment, then the credits are the caller's."""
    payment = container.start_purchase(
        caller.user.id or 0, data.credit_pack_id, data.provider, data.coupon_code
    )
    return purchase_view(payment)


@get("/purchases/{payment_id:int}", responses=responses(401, 404, 422), sync_to_thread=True)
def get_purchase(payment_id: Id, caller: Caller, container: Services) -> PurchaseView:
    """One of the caller's payments (of a pack or a gift card), with its status."""
    return purchase_view(container.purchase_of(caller.user.id or 0, payment_id))


@post("/gift-cards", status_code=201, responses=responses(400, 401, 404, 422),
      sync_to_thread=True)  # fmt: skip
def buy_gift_card(
    data: JSONBody[GiftCardBody], caller: Caller, container: Services
) -> GiftCardView:
    """Buy a credit pack's credits as a gift card: pending until its payment is confirmed,
    then active. The code is in this answer only (no Idempotency-Key: it is never kept)."""
    issued = container.buy_gift_card(
        data.credit_pack_id,
        data.provider,
        purchaser_user_id=caller.user.id,
        recipient_email=data.recipient_email,
    )
    return gift_card_view(issued)


@post(
    "/{provider:str}/webhook",
    status_code=200,
    responses=responses(400, 401, 404, 409, 413, 422),
    request_max_body_size=BODY_LIMIT,
)
async def payment_webhook(
    provider: FromPath[str], request: Request[Any, Any, Any], container: Services
) -> PaymentReceipt:
    """A payment provider says a charge was paid or refunded: credited or clawed back once
    per charge. 401 for an unsigned, forged or stale delivery; 404 for a provider that is
    not enabled; 409 for a refund delivered before its payment (it is delivered again)."""
    body = await request.body()
    headers = {name.lower(): value for name, value in request.headers.items()}
    return receipt(await in_thread(container.receive_payment, provider, headers, body))


router = Router(
    "/v1", route_handlers=[start_purchase, get_purchase, buy_gift_card], tags=["wallet"],
    security=SECURITY,
)  # fmt: skip
webhooks = Router(
    "/v1/payments",
    route_handlers=[payment_webhook],
    tags=["webhooks"],
    opt={ANONYMOUS: True, UNLIMITED: True},
)
