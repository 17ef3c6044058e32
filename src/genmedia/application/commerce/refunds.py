"""Refunds of payments, and routing a verified provider notification (SPEC WAL-4)."""

from __future__ import annotations

from genmedia.application.commerce.purchases import confirm_payment
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.errors import ChargeNotPaidYet
from genmedia.domain.payment_providers import payment_provider
from genmedia.domain.purchases import (
    Payment,
    PaymentEvent,
    PaymentNotification,
    PaymentPurpose,
    PaymentStatus,
)


def refund_purchase(provider: str, charge_id: str, *, uow: UnitOfWork, clock: Clock) -> Payment:
    """Mark a paid charge refunded and claw back at most what is left of what it bought.

    The claw-back is min(what is left of the purchase's credit lot, the available balance);
    the rest is recorded as unrecoverable in the payment's metadata. A replay changes nothing.
    The payment is locked first, so refunds of one charge delivered at once apply once.
    ChargeNotPaidYet for a charge no payment has been confirmed by (a refund delivered before
    its payment): nothing changes, and the provider's next delivery applies it.
    """
    chosen = payment_provider(provider)
    with uow:
        payment = uow.payments.get_by_charge(chosen, charge_id, for_update=True)
        if payment is None:
            raise ChargeNotPaidYet(f"no {chosen.value} payment is confirmed by {charge_id!r} yet")
        if payment.status is PaymentStatus.REFUNDED:
            return payment
        payment.mark_refunded(clock.now())
        _take_back(uow, payment)
        if not uow.payments.mark_refunded(payment):
            return uow.payments.get(payment.id or 0)
        uow.commit()
    return payment


def _take_back(uow: UnitOfWork, payment: Payment) -> None:
    if payment.purpose is PaymentPurpose.GIFT_CARD:
        payment.record_card_revoked(_revoke_card(uow, payment.gift_card_id or 0))
    else:
        _claw_back(uow, payment)


def _revoke_card(uow: UnitOfWork, card_id: int) -> bool:
    card = uow.gift_cards.get(card_id)
    return card.revoke() and uow.gift_cards.revoke(card)


def _claw_back(uow: UnitOfWork, payment: Payment) -> None:
    lot, user_id = uow.wallets.lot(payment.credit_reference), payment.buyer_id
    amount = lot.reclaimable(uow.wallets.get(user_id).available) if lot else 0
    payment.record_claw_back(amount)
    if lot is not None and amount > 0:
        uow.wallets.post(user_id, postings.refund(payment, amount), from_lot=lot.id)


def apply_notification(
    notification: PaymentNotification, *, uow: UnitOfWork, clock: Clock
) -> Payment:
    """Confirm or refund the payment a verified notification is about."""
    if notification.event is PaymentEvent.REFUNDED:
        return refund_purchase(
            notification.provider.value, notification.charge_id, uow=uow, clock=clock
        )
    return confirm_payment(notification, uow=uow, clock=clock)
