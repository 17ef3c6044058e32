"""Fakes of the commerce ports."""

from __future__ import annotations

import copy
from datetime import datetime

from genmedia.application.ports import (
    CouponRepository,
    CreditPackRepository,
    GiftCardRepository,
    PaymentRepository,
)
from genmedia.domain.coupons import Coupon, CouponRedemption, already_redeemed
from genmedia.domain.errors import (
    AlreadyExists,
    AlreadyUsed,
    Expired,
    NotFound,
)
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus
from genmedia.domain.purchases import CreditPack, Payment, PaymentProvider, PaymentStatus
from tests.fakes.base import Repo


class FakeCreditPackRepository(Repo, CreditPackRepository):
    def add(self, pack: CreditPack) -> CreditPack:
        if self.get_by_name(pack.name):
            raise AlreadyExists("credit pack", pack.name)
        pack.id = self._new_id()
        self.db.commerce.packs[pack.id] = copy.deepcopy(pack)
        return pack

    def get(self, pack_id: int) -> CreditPack:
        if pack_id not in self.db.commerce.packs:
            raise NotFound("credit pack", pack_id)
        return copy.deepcopy(self.db.commerce.packs[pack_id])

    def get_by_name(self, name: str) -> CreditPack | None:
        found = (p for p in self.db.commerce.packs.values() if p.name == name)
        return copy.deepcopy(next(found, None))

    def list_active(self) -> list[CreditPack]:
        active = [p for p in self.db.commerce.packs.values() if p.is_active]
        return copy.deepcopy(sorted(active, key=lambda p: (p.credits, p.id or 0)))


class FakePaymentRepository(Repo, PaymentRepository):
    def add(self, payment: Payment) -> Payment:
        payment.id, payment.created_at = self._new_id(), self.db.now
        self.db.commerce.payments[payment.id] = copy.deepcopy(payment)
        return payment

    def get(self, payment_id: int) -> Payment:
        if payment_id not in self.db.commerce.payments:
            raise NotFound("payment", payment_id)
        return copy.deepcopy(self.db.commerce.payments[payment_id])

    def get_by_charge(self, provider: PaymentProvider, charge_id: str) -> Payment | None:
        found = (
            p
            for p in self.db.commerce.payments.values()
            if p.provider is provider and p.charge_id == charge_id
        )
        return copy.deepcopy(next(found, None))

    def _replace(self, payment: Payment, status: PaymentStatus) -> bool:
        if self.db.commerce.payments[payment.id or 0].status is not status:
            return False
        self.db.commerce.payments[payment.id or 0] = copy.deepcopy(payment)
        return True

    def mark_paid(self, payment: Payment) -> bool:
        other = self.get_by_charge(payment.provider, payment.charge_id or "")
        if other is not None and other.id != payment.id:
            raise AlreadyUsed(f"charge {payment.charge_id} already paid another payment")
        return self._replace(payment, PaymentStatus.PENDING)

    def mark_refunded(self, payment: Payment) -> bool:
        return self._replace(payment, PaymentStatus.PAID)


class FakeCouponRepository(Repo, CouponRepository):
    def add(self, coupon: Coupon) -> Coupon:
        if self.get_by_code(coupon.code):
            raise AlreadyExists("coupon", coupon.code)
        coupon.id = self._new_id()
        self.db.commerce.coupons[coupon.id] = copy.deepcopy(coupon)
        return coupon

    def get(self, coupon_id: int) -> Coupon:
        if coupon_id not in self.db.commerce.coupons:
            raise NotFound("coupon", coupon_id)
        return copy.deepcopy(self.db.commerce.coupons[coupon_id])

    def get_by_code(self, code: str) -> Coupon | None:
        key = code.strip().upper()
        found = (c for c in self.db.commerce.coupons.values() if c.code == key)
        return copy.deepcopy(next(found, None))

    def claim_use(self, coupon_id: int, now: datetime) -> bool:
        coupon = self.db.commerce.coupons[coupon_id]
        try:
            coupon.check_usable(now)
        except (AlreadyUsed, Expired):
            return False
        coupon.used_count += 1
        return True

    def add_redemption(self, redemption: CouponRedemption) -> CouponRedemption:
        key = (redemption.coupon_id, redemption.user_id)
        if any((r.coupon_id, r.user_id) == key for r in self.db.commerce.redemptions):
            raise already_redeemed(*key)
        redemption.id = self._new_id()
        self.db.commerce.redemptions.append(copy.deepcopy(redemption))
        return redemption

    def redemptions(self, coupon_id: int) -> list[CouponRedemption]:
        return copy.deepcopy([r for r in self.db.commerce.redemptions if r.coupon_id == coupon_id])


class FakeGiftCardRepository(Repo, GiftCardRepository):
    def add(self, card: GiftCard) -> GiftCard:
        if self.get_by_hash(card.code_hash):
            raise AlreadyExists("gift card", card.code_hint)
        card.id, card.created_at = self._new_id(), self.db.now
        self.db.commerce.cards[card.id] = copy.deepcopy(card)
        return card

    def get(self, card_id: int) -> GiftCard:
        if card_id not in self.db.commerce.cards:
            raise NotFound("gift card", card_id)
        return copy.deepcopy(self.db.commerce.cards[card_id])

    def get_by_hash(self, code_hash: str) -> GiftCard | None:
        found = (c for c in self.db.commerce.cards.values() if c.code_hash == code_hash)
        return copy.deepcopy(next(found, None))

    def activate(self, card_id: int) -> bool:
        card = self.db.commerce.cards[card_id]
        if card.status is not GiftCardStatus.PENDING:
            return False
        card.activate()
        return True

    def redeem(self, code_hash: str, user_id: int, now: datetime) -> GiftCard | None:
        card = next((c for c in self.db.commerce.cards.values() if c.code_hash == code_hash), None)
        if card is None or card.status is not GiftCardStatus.ACTIVE or card.is_expired(now):
            return None
        card.redeem(user_id, now)
        return copy.deepcopy(card)

    def revoke(self, card_id: int) -> bool:
        card = self.db.commerce.cards[card_id]
        if card.status not in (GiftCardStatus.PENDING, GiftCardStatus.ACTIVE):
            return False
        card.revoke()
        return True

    def expire_due(self, now: datetime) -> int:
        due = [
            c
            for c in self.db.commerce.cards.values()
            if c.status is GiftCardStatus.ACTIVE and c.is_expired(now)
        ]
        for card in due:
            card.expire(now)
        return len(due)
