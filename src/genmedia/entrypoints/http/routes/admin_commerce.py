"""Admin: coupons, gift cards and credit packs (API.md, Admin; SPEC WAL-4…6).

Each is a list (newest first, paged), POST (201), GET, PATCH (the fields the body names)
and DELETE (204), which retires the object rather than removing it: payments, redemptions
and ledger entries keep naming it. Bodies are JSON objects read field by field
(application/admin/fields.py): every bad field is named in one 422.
"""

from __future__ import annotations

from typing import Any

from litestar import delete, get, patch, post
from litestar.params import JSONBody

from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.admin_commerce import (
    AdminCreditPackView,
    CouponView,
    GiftCardView,
    IssuedGiftCardView,
    admin_credit_pack_view,
    coupon_view,
    gift_card_view,
    issued_gift_card_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses

Document = JSONBody[dict[str, Any]]
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 422)


def actor(caller: Caller) -> int:
    """The id of the admin making the call."""
    return caller.user.id or 0


@get("/coupons", responses=responses(401, 403, 422), sync_to_thread=True)
def list_coupons(page: Paging, container: Services) -> Page[CouponView]:
    """Every coupon, active or not, newest first."""
    return page_view(
        page, container.admin_list_coupons(after=page.after, limit=page.limit), coupon_view
    )


@post("/coupons", status_code=201, responses=WRITE, sync_to_thread=True)
def create_coupon(data: Document, caller: Caller, container: Services) -> CouponView:
    """A new coupon: `code`, `discount_type`, `discount_value` and optional terms; 409 if
    the code is taken."""
    return coupon_view(container.admin_create_coupon(actor(caller), data))


@get("/coupons/{coupon_id:int}", responses=READ, sync_to_thread=True)
def get_coupon(coupon_id: Id, container: Services) -> CouponView:
    """One coupon."""
    return coupon_view(container.admin_get_coupon(coupon_id))


@patch("/coupons/{coupon_id:int}", responses=WRITE, sync_to_thread=True)
def update_coupon(coupon_id: Id, data: Document, caller: Caller, container: Services) -> CouponView:
    """Change the fields the body names; a used coupon keeps what it gives."""
    return coupon_view(container.admin_update_coupon(actor(caller), coupon_id, data))


@delete("/coupons/{coupon_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def delete_coupon(coupon_id: Id, caller: Caller, container: Services) -> None:
    """Retire the coupon (`is_active` false)."""
    container.admin_delete_coupon(actor(caller), coupon_id)


@get("/gift-cards", responses=responses(401, 403, 422), sync_to_thread=True)
def list_gift_cards(page: Paging, container: Services) -> Page[GiftCardView]:
    """Every gift card, newest first, without codes."""
    found = container.admin_list_gift_cards(after=page.after, limit=page.limit)
    return page_view(page, found, gift_card_view)


@post("/gift-cards", status_code=201, responses=WRITE, sync_to_thread=True)
def issue_gift_card(data: Document, caller: Caller, container: Services) -> IssuedGiftCardView:
    """An active card of a pack's credits (`credit_pack_id`) or of `credits`; its `code` is
    in this answer only."""
    return issued_gift_card_view(container.admin_issue_gift_card(actor(caller), data))


@get("/gift-cards/{card_id:int}", responses=READ, sync_to_thread=True)
def get_gift_card(card_id: Id, container: Services) -> GiftCardView:
    """One gift card, without its code."""
    return gift_card_view(container.admin_get_gift_card(card_id))


@patch("/gift-cards/{card_id:int}", responses=WRITE, sync_to_thread=True)
def update_gift_card(
    card_id: Id, data: Document, caller: Caller, container: Services
) -> GiftCardView:
    """Change a pending or active card's `recipient_email` or `expires_at`."""
    return gift_card_view(container.admin_update_gift_card(actor(caller), card_id, data))


@delete("/gift-cards/{card_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def delete_gift_card(card_id: Id, caller: Caller, container: Services) -> None:
    """Withdraw a pending or active card (it expires); 409 for a redeemed one."""
    container.admin_delete_gift_card(actor(caller), card_id)


@get("/credit-packs", responses=responses(401, 403, 422), sync_to_thread=True)
def list_packs(page: Paging, container: Services) -> Page[AdminCreditPackView]:
    """Every credit pack, on sale or not, newest first."""
    found = container.admin_list_packs(after=page.after, limit=page.limit)
    return page_view(page, found, admin_credit_pack_view)


@post("/credit-packs", status_code=201, responses=WRITE, sync_to_thread=True)
def create_pack(data: Document, caller: Caller, container: Services) -> AdminCreditPackView:
    """A new pack: `name`, `credits`, `price`, `currency`; 409 if the name is taken."""
    return admin_credit_pack_view(container.admin_create_pack(actor(caller), data))


@get("/credit-packs/{pack_id:int}", responses=READ, sync_to_thread=True)
def get_pack(pack_id: Id, container: Services) -> AdminCreditPackView:
    """One credit pack."""
    return admin_credit_pack_view(container.admin_get_pack(pack_id))


@patch("/credit-packs/{pack_id:int}", responses=WRITE, sync_to_thread=True)
def update_pack(
    pack_id: Id, data: Document, caller: Caller, container: Services
) -> AdminCreditPackView:
    """Change the fields the body names; purchases already started keep their terms."""
    return admin_credit_pack_view(container.admin_update_pack(actor(caller), pack_id, data))


@delete("/credit-packs/{pack_id:int}", status_code=204, responses=WRITE, sync_to_thread=True)
def delete_pack(pack_id: Id, caller: Caller, container: Services) -> None:
    """Take the pack off sale (`is_active` false)."""
    container.admin_delete_pack(actor(caller), pack_id)


router = admin_router(
    [
        list_coupons, create_coupon, get_coupon, update_coupon, delete_coupon,
        list_gift_cards, issue_gift_card, get_gift_card, update_gift_card, delete_gift_card,
        list_packs, create_pack, get_pack, update_pack, delete_pack,
    ],
    "admin",
)  # fmt: skip
