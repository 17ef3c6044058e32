"""Bodies of the admin routes of commerce and operations (API.md, Admin): coupons, gift
cards, credit packs, users with their wallets, and retried jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from genmedia.application.admin.gift_cards import IssuedCard
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus
from genmedia.domain.job import Job
from genmedia.domain.purchases import CreditPack
from genmedia.domain.status import Status
from genmedia.domain.user import User
from genmedia.domain.wallet import Wallet
from genmedia.entrypoints.http.presenters.wallet import WalletView, wallet_view


@attrs.frozen(kw_only=True)
class CouponView:
    """A coupon with its use count; `discount_value` is a percentage, an amount in the minor
    unit of `currency`, or credits, as `discount_type` says."""

    id: int
    code: str
    description: str
    discount_type: DiscountType
    discount_value: int
    currency: str | None
    max_uses: int | None
    used_count: int
    valid_from: datetime
    valid_until: datetime | None
    is_active: bool
    created_at: datetime | None


@attrs.frozen(kw_only=True)
class GiftCardView:
    """A gift card without its code (only its last four characters, `code_hint`)."""

    id: int
    code_hint: str
    status: GiftCardStatus
    credits: int
    price: int
    currency: str
    credit_pack_id: int | None
    purchaser_user_id: int | None
    purchaser_email: str | None
    recipient_email: str | None
    redeemed_by: int | None
    redeemed_at: datetime | None
    expires_at: datetime | None
    created_at: datetime | None


@attrs.frozen(kw_only=True)
class IssuedGiftCardView(GiftCardView):
    """A card just issued, with its code: shown this once, never stored in clear."""

    code: str


@attrs.frozen(kw_only=True)
class AdminCreditPackView:
    """A credit pack, on sale (`is_active`) or not."""

    id: int
    name: str
    credits: int
    price: int
    currency: str
    is_active: bool
    created_at: datetime | None


@attrs.frozen(kw_only=True)
class AdminUserView:
    """A user as an admin sees them."""

    id: int
    email: str
    name: str | None
    is_admin: bool
    is_active: bool
    created_at: datetime | None
    last_login_at: datetime | None


@attrs.frozen(kw_only=True)
class AdminUserDetailView(AdminUserView):
    """A user with their wallet."""

    wallet: WalletView


@attrs.frozen(kw_only=True)
class RetriedJobView:
    """The new pending job that runs a failed one (`retry_of`) again, and the credits held."""

    id: int
    status: Status
    request_id: int
    retry_of: int
    credits_reserved: int


def coupon_view(coupon: Coupon) -> CouponView:
    """A coupon as an admin sees it."""
    return CouponView(**attrs.asdict(coupon, recurse=False))


def gift_card_view(card: GiftCard) -> GiftCardView:
    """A gift card, its code hash left out."""
    return GiftCardView(**_card_fields(card))


def issued_gift_card_view(issued: IssuedCard) -> IssuedGiftCardView:
    """A card just issued, with its code."""
    return IssuedGiftCardView(**_card_fields(issued.card), code=issued.code)


def _card_fields(card: GiftCard) -> dict[str, Any]:
    return attrs.asdict(card, recurse=False, filter=lambda a, _: a.name != "code_hash")


def admin_credit_pack_view(pack: CreditPack) -> AdminCreditPackView:
    """A credit pack as an admin sees it."""
    return AdminCreditPackView(**attrs.asdict(pack, recurse=False))


def _user_fields(user: User) -> dict[str, Any]:
    shown = attrs.fields_dict(AdminUserView)
    return {name: getattr(user, name) for name in shown}


def admin_user_view(user: User) -> AdminUserView:
    """A user, without their password hash."""
    return AdminUserView(**_user_fields(user))


def admin_user_detail_view(account: tuple[User, Wallet]) -> AdminUserDetailView:
    """A user with their wallet."""
    user, wallet = account
    return AdminUserDetailView(**_user_fields(user), wallet=wallet_view(wallet))


def retried_job_view(job: Job) -> RetriedJobView:
    """A retried job's new job."""
    return RetriedJobView(
        id=job.id or 0,
        status=job.status,
        request_id=job.request_id or 0,
        retry_of=job.retry_of or 0,
        credits_reserved=job.input.credits,
    )
