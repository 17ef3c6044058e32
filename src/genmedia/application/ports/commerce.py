"""Ports of commerce: credit packs, payments, coupons, gift cards and payment verifiers."""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping
from datetime import datetime

from genmedia.domain.coupons import Coupon, CouponRedemption
from genmedia.domain.gift_cards import GiftCard
from genmedia.domain.purchases import CreditPack, Payment, PaymentNotification, PaymentProvider


class CreditPackRepository(abc.ABC):
    """Credit packs on sale."""

    @abc.abstractmethod
    def add(self, pack: CreditPack) -> CreditPack:
        """Insert a pack and give it its id; AlreadyExists if the name is taken."""

    @abc.abstractmethod
    def get(self, pack_id: int) -> CreditPack:
        """The pack with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_name(self, name: str) -> CreditPack | None:
        """The pack with this name, if any."""

    @abc.abstractmethod
    def list_active(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[CreditPack]:
        """Packs on sale by (credits, id), fewest credits first, from after the key `after`,
        at most `limit`."""

    @abc.abstractmethod
    def page(self, after: tuple[int, ...] | None, limit: int) -> list[CreditPack]:
        """Every pack, on sale or not, newest first, after the key `(id,)`, at most `limit`."""

    @abc.abstractmethod
    def save(self, pack: CreditPack) -> None:
        """Write a loaded pack's fields back; AlreadyExists if its new name is taken."""


class PaymentRepository(abc.ABC):
    """Payments; status changes are guarded UPDATEs on the status they leave."""

    @abc.abstractmethod
    def add(self, payment: Payment) -> Payment:
        """Insert a pending payment and give it its id."""

    @abc.abstractmethod
    def get(self, payment_id: int) -> Payment:
        """The payment with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_reference(self, reference: str) -> Payment | None:
        """The payment with this reference, if any."""

    @abc.abstractmethod
    def get_by_charge(
        self, provider: PaymentProvider, charge_id: str, *, for_update: bool = False
    ) -> Payment | None:
        """The payment the provider charged under `charge_id`, if any; `for_update` locks
        it until the transaction ends."""

    @abc.abstractmethod
    def mark_paid(self, payment: Payment) -> bool:
        """Write a paid payment if it is still pending; AlreadyUsed if another has the charge."""

    @abc.abstractmethod
    def mark_refunded(self, payment: Payment) -> bool:
        """Write a refunded payment (and its metadata) if it is still paid."""

    @abc.abstractmethod
    def refunded(self, payment_ids: Collection[int]) -> set[int]:
        """Those of these payments that are refunded."""


class CouponRepository(abc.ABC):
    """Coupons and their redemptions; a use is counted with one conditional increment."""

    @abc.abstractmethod
    def add(self, coupon: Coupon) -> Coupon:
        """Insert a coupon and give it its id; AlreadyExists if the code is taken."""

    @abc.abstractmethod
    def get_by_code(self, code: str) -> Coupon | None:
        """The coupon with this (normalised) code, if any."""

    @abc.abstractmethod
    def claim_use(self, redemption: CouponRedemption) -> bool:
        """Count the use `Coupon.claim_use` decided, unless its coupon `is_used_up` meanwhile,
        however many claim at once; whether it was counted."""

    @abc.abstractmethod
    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        """Record a use; AlreadyUsed if this user has used this coupon before."""

    @abc.abstractmethod
    def get(self, coupon_id: int) -> Coupon:
        """The coupon with this id, or NotFound."""

    @abc.abstractmethod
    def page(self, after: tuple[int, ...] | None, limit: int) -> list[Coupon]:
        """Every coupon, active or not, newest first, after the key `(id,)`, at most `limit`."""

    @abc.abstractmethod
    def save(self, coupon: Coupon) -> bool:
        """Write what `Coupon.revised` may change, if the coupon's use count is still the one
        it carries; False if a use was counted meanwhile (load it again and retry)."""


class GiftCardRepository(abc.ABC):
    """Gift cards, found by the hash of their code.

    The domain moves a loaded card; a repository writes the move only where the card's row
    is still in a status the move leaves, and says whether it did.
    """

    @abc.abstractmethod
    def add(self, card: GiftCard) -> GiftCard:
        """Insert a pending card and give it its id."""

    @abc.abstractmethod
    def get(self, card_id: int) -> GiftCard:
        """The card with this id, or NotFound."""

    @abc.abstractmethod
    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        """The card whose code hashes to `code_hash`, if any."""

    @abc.abstractmethod
    def activate(self, card: GiftCard) -> bool:
        """Write a card `GiftCard.activate` moved on, if its row is still pending."""

    @abc.abstractmethod
    def redeem(self, card: GiftCard) -> bool:
        """Write a card `GiftCard.redeem` moved on (with its redeemer), if its row is still
        active."""

    @abc.abstractmethod
    def revoke(self, card: GiftCard) -> bool:
        """Write a card `GiftCard.revoke` withdrew, if its row is still pending or active."""

    @abc.abstractmethod
    def expire_due(self, now: datetime) -> int:
        """`GiftCard.expire` every active card past its expiry, in one statement; how many."""

    @abc.abstractmethod
    def page(self, after: tuple[int, ...] | None, limit: int) -> list[GiftCard]:
        """Every card, newest first, after the key `(id,)`, at most `limit`."""

    @abc.abstractmethod
    def amend(self, card: GiftCard) -> bool:
        """Write what `GiftCard.revised` changed, if the card's row is still pending or active."""


class PaymentVerifier(abc.ABC):
    """Checks and reads a payment provider's notification; secrets never leave it."""

    provider: PaymentProvider

    @abc.abstractmethod
    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification | None:
        """The notification in `body`, checked before it is read; None for an authentic
        delivery about nothing we act on. InvalidSignature unless it is authentic and fresh."""
