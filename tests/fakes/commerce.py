"""Fakes of the commerce ports: each write lets the domain decide on the stored copy first,
as the SQL guards do on the row."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from genmedia.application.ports import (
    CouponRepository,
    CreditPackRepository,
    GiftCardRepository,
    PaymentRepository,
    PaymentVerifier,
)
from genmedia.domain.coupons import (
    Coupon,
    CouponRedemption,
    already_redeemed,
    normalise_coupon_code,
)
from genmedia.domain.errors import (
    AlreadyExists,
    AlreadyUsed,
    DomainError,
    InvalidSignature,
    InvalidValue,
    NotFound,
)
from genmedia.domain.gift_cards import GiftCard
from genmedia.domain.purchases import (
    CreditPack,
    Payment,
    PaymentNotification,
    PaymentProvider,
    PaymentStatus,
)
from tests.fakes.base import Repo, keyed


def _decided(move: Callable[[], object]) -> bool:
    """Whether the domain makes this move (a refusal is False, as a guard that fails)."""
    try:
        return move() is not False
    except DomainError:
        return False


class FakeCreditPackRepository(Repo, CreditPackRepository):
    def add(self, pack: CreditPack) -> CreditPack:
        if self.get_by_name(pack.name):
            raise AlreadyExists("credit pack", pack.name)
        pack.stored_as(self._new_id(), created_at=self.db.now)
        self.db.commerce.packs[pack.id or 0] = copy.deepcopy(pack)
        return pack

    def get(self, pack_id: int) -> CreditPack:
        if pack_id not in self.db.commerce.packs:
            raise NotFound("credit pack", pack_id)
        return copy.deepcopy(self.db.commerce.packs[pack_id])

    def get_by_name(self, name: str) -> CreditPack | None:
        found = (p for p in self.db.commerce.packs.values() if p.name == name)
        return copy.deepcopy(next(found, None))

    def list_active(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[CreditPack]:
        active = [p for p in self.db.commerce.packs.values() if p.is_active]
        return copy.deepcopy(keyed(active, lambda p: (p.credits, p.id or 0), after, limit))

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[CreditPack]:
        packs = self.db.commerce.packs.values()
        return copy.deepcopy(keyed(packs, _by_id, after, limit, descending=True))

    def save(self, pack: CreditPack) -> None:
        other = self.get_by_name(pack.name)
        if other is not None and other.id != pack.id:
            raise AlreadyExists("credit pack", pack.name)
        self.db.commerce.packs[pack.id or 0] = copy.deepcopy(pack)


class FakePaymentRepository(Repo, PaymentRepository):
    def add(self, payment: Payment) -> Payment:
        payment.stored_as(self._new_id(), created_at=self.db.now)
        self.db.commerce.payments[payment.id or 0] = copy.deepcopy(payment)
        return payment

    def get(self, payment_id: int) -> Payment:
        if payment_id not in self.db.commerce.payments:
            raise NotFound("payment", payment_id)
        return copy.deepcopy(self.db.commerce.payments[payment_id])

    def get_by_reference(self, reference: str) -> Payment | None:
        found = (p for p in self.db.commerce.payments.values() if p.reference == reference)
        return copy.deepcopy(next(found, None))

    def get_by_charge(
        self, provider: PaymentProvider, charge_id: str, *, for_update: bool = False
    ) -> Payment | None:
        found = (
            p
            for p in self.db.commerce.payments.values()
            if p.provider is provider and p.charge_id == charge_id
        )
        return copy.deepcopy(next(found, None))

    def refunded(self, payment_ids: Collection[int]) -> set[int]:
        payments = self.db.commerce.payments
        refunded = PaymentStatus.REFUNDED
        return {i for i in payment_ids if i in payments and payments[i].status is refunded}

    def _write(self, payment: Payment, move: Callable[[Payment], object]) -> bool:
        stored = self.get(payment.id or 0)
        if not _decided(lambda: move(stored)):
            return False
        self.db.commerce.payments[payment.id or 0] = copy.deepcopy(payment)
        return True

    def mark_paid(self, payment: Payment) -> bool:
        other = self.get_by_charge(payment.provider, payment.charge_id or "")
        if other is not None and other.id != payment.id:
            raise AlreadyUsed(f"charge {payment.charge_id} already paid another payment")
        charge, paid_at = payment.charge_id or "", payment.paid_at or self.db.now
        return self._write(payment, lambda p: p.mark_paid(charge, p.amount, p.currency, paid_at))

    def mark_refunded(self, payment: Payment) -> bool:
        return self._write(payment, lambda p: p.mark_refunded(payment.refunded_at or self.db.now))


class FakeCouponRepository(Repo, CouponRepository):
    def add(self, coupon: Coupon) -> Coupon:
        if self.get_by_code(coupon.code):
            raise AlreadyExists("coupon", coupon.code)
        coupon.stored_as(self._new_id(), created_at=self.db.now)
        self.db.commerce.coupons[coupon.id or 0] = copy.deepcopy(coupon)
        return coupon

    def get_by_code(self, code: str) -> Coupon | None:
        try:
            key = normalise_coupon_code(code)
        except InvalidValue:
            return None
        found = (c for c in self.db.commerce.coupons.values() if c.code == key)
        return copy.deepcopy(next(found, None))

    def claim_use(self, redemption: CouponRedemption) -> bool:
        stored = self.db.commerce.coupons[redemption.coupon_id]
        now = redemption.redeemed_at or self.db.now
        return _decided(lambda: stored.claim_use(redemption.user_id, now))

    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        key = (redemption.coupon_id, redemption.user_id)
        if any((r.coupon_id, r.user_id) == key for r in self.db.commerce.redemptions):
            raise already_redeemed(*key)
        redemption.stored_as(self._new_id())
        self.db.commerce.redemptions.append(copy.deepcopy(redemption))
        return redemption

    def get(self, coupon_id: int) -> Coupon:
        if coupon_id not in self.db.commerce.coupons:
            raise NotFound("coupon", coupon_id)
        return copy.deepcopy(self.db.commerce.coupons[coupon_id])

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[Coupon]:
        coupons = self.db.commerce.coupons.values()
        return copy.deepcopy(keyed(coupons, _by_id, after, limit, descending=True))

    def save(self, coupon: Coupon) -> bool:
        if self.get(coupon.id or 0).used_count != coupon.used_count:
            return False
        self.db.commerce.coupons[coupon.id or 0] = copy.deepcopy(coupon)
        return True


class FakeGiftCardRepository(Repo, GiftCardRepository):
    def add(self, card: GiftCard) -> GiftCard:
        if self.get_by_hash(card.code_hash):
            raise AlreadyExists("gift card", card.code_hint)
        card.stored_as(self._new_id(), created_at=self.db.now)
        self.db.commerce.cards[card.id or 0] = copy.deepcopy(card)
        return card

    def get(self, card_id: int) -> GiftCard:
        if card_id not in self.db.commerce.cards:
            raise NotFound("gift card", card_id)
        return copy.deepcopy(self.db.commerce.cards[card_id])

    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        found = (c for c in self.db.commerce.cards.values() if c.code_hash == code_hash)
        return copy.deepcopy(next(found, None))

    def _write(self, card: GiftCard, move: Callable[[GiftCard], object]) -> bool:
        stored = self.get(card.id or 0)
        if not _decided(lambda: move(stored)):
            return False
        self.db.commerce.cards[card.id or 0] = copy.deepcopy(card)
        return True

    def activate(self, card: GiftCard) -> bool:
        return self._write(card, lambda c: c.activate())

    def redeem(self, card: GiftCard) -> bool:
        by, at = card.redeemed_by or 0, card.redeemed_at or self.db.now
        return self._write(card, lambda c: c.redeem(by, at))

    def revoke(self, card: GiftCard) -> bool:
        return self._write(card, lambda c: c.revoke())

    def expire_due(self, now: datetime) -> int:
        cards = self.db.commerce.cards.values()
        return sum(_decided(lambda card=card: card.expire(now)) for card in cards)

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[GiftCard]:
        cards = self.db.commerce.cards.values()
        return copy.deepcopy(keyed(cards, _by_id, after, limit, descending=True))

    def amend(self, card: GiftCard) -> bool:
        changes = {"recipient_email": card.recipient_email, "expires_at": card.expires_at}
        return self._write(card, lambda c: c.revised(changes))


def _by_id(item: CreditPack | Coupon | GiftCard) -> tuple[int, ...]:
    return (item.id or 0,)


class FakePaymentVerifier(PaymentVerifier):
    """Takes a delivery whose body is `b"ok"` as the notification it was given; refuses
    any other as forged."""

    def __init__(self, notification: PaymentNotification | None) -> None:
        self.notification = notification
        self.provider = notification.provider if notification else PaymentProvider.WEBHOOK

    def verify(self, headers: Mapping[str, str], body: bytes) -> PaymentNotification | None:
        if body != b"ok":
            raise InvalidSignature("forged")
        return self.notification
