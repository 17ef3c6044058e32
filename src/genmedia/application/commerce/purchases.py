"""Buying credit packs: start a payment, confirm it once, refund what is left (SPEC WAL-4)."""

from __future__ import annotations

from genmedia.application.commerce.coupons import record_use
from genmedia.application.errors import StaleAggregate
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.domain import postings
from genmedia.domain.coupons import Coupon
from genmedia.domain.errors import InvalidValue, NotFound, UnknownPayment
from genmedia.domain.payment_providers import provider_for
from genmedia.domain.purchases import CreditPack, Payment, PaymentNotification, PaymentPurpose


def create_credit_pack(pack: CreditPack, *, uow: UnitOfWork) -> CreditPack:
    """Put a credit pack on sale; AlreadyExists if the name is taken."""
    with uow:
        uow.credit_packs.add(pack)
        uow.commit()
    return pack


def list_credit_packs(
    *, uow: UnitOfWork, after: Key | None = None, limit: int = DEFAULT_LIMIT
) -> Page[CreditPack]:
    """The packs on sale, fewest credits first."""
    check_window(after, limit, 2)
    with uow:
        rows = uow.credit_packs.list_active(after=after, limit=limit + 1)
    return page_of(rows, limit, lambda p: (p.credits, p.id or 0))


def pack_on_sale(uow: UnitOfWork, pack_id: int) -> CreditPack:
    """The active pack with this id, or NotFound."""
    pack = uow.credit_packs.get(pack_id)
    if not pack.is_active:
        raise NotFound("credit pack", pack_id)
    return pack


def start_purchase(
    user_id: int,
    credit_pack_id: int,
    provider: str | None = None,
    coupon_code: str | None = None,
    *,
    uow: UnitOfWork,
    clock: Clock,
) -> Payment:
    """A pending payment for a pack, less a percentage or fixed coupon whose use it claims.

    Without a `provider`, the one that takes the pack's currency. A price of 0 (a free pack,
    or a coupon worth the whole price) is settled at once.
    """
    now = clock.now()
    with uow:
        uow.users.get(user_id)
        pack = pack_on_sale(uow, credit_pack_id)
        chosen = provider_for(pack.currency, provider)
        payment = Payment.for_pack(pack, chosen, user_id=user_id)
        coupon = _coupon(uow, coupon_code) if coupon_code else None
        discount = payment.apply_coupon(coupon) if coupon else 0
        uow.payments.add(payment)
        if coupon is not None:
            use = coupon.claim_use(user_id, now, discount=discount, payment_id=payment.id)
            record_use(uow, coupon, use)
        if payment.settle_if_free(now):
            if not uow.payments.mark_paid(payment):
                raise StaleAggregate(f"payment {payment.id} changed while it was settled")
            _deliver(uow, payment)
        uow.commit()
    return payment


def _coupon(uow: UnitOfWork, code: str) -> Coupon:
    coupon = uow.coupons.get_by_code(code)
    if coupon is None:
        raise InvalidValue("coupon_code", "no coupon has this code")
    return coupon


def confirm_payment(notification: PaymentNotification, *, uow: UnitOfWork, clock: Clock) -> Payment:
    """Apply a provider's "paid": credit the buyer or activate the gift card, once per charge.

    A replay of the same charge returns the payment unchanged; an amount or currency that
    differs from the payment's is refused and changes nothing.
    """
    with uow:
        payment = _payment_of(uow, notification)
        if payment.is_confirmed_by(notification.charge_id):
            return payment
        payment.mark_paid(
            notification.charge_id, notification.amount, notification.currency, clock.now()
        )
        if not uow.payments.mark_paid(payment):
            return _confirmed_meanwhile(uow, payment.id or 0, notification.charge_id)
        _deliver(uow, payment)
        uow.commit()
    return payment


def purchase_of(user_id: int, payment_id: int, *, uow: UnitOfWork) -> Payment:
    """The user's own payment (of a pack or a gift card); NotFound for anyone else's."""
    with uow:
        payment = uow.payments.get(payment_id)
    if payment.user_id != user_id:
        raise NotFound("payment", payment_id)
    return payment


def _payment_of(uow: UnitOfWork, notification: PaymentNotification) -> Payment:
    reference, payment_id = notification.reference, notification.payment_id
    payment = uow.payments.get_by_reference(reference) if reference else None
    if payment is None and payment_id is not None and not reference:
        try:
            payment = uow.payments.get(payment_id)
        except NotFound:
            payment = None
    if payment is None or payment.provider is not notification.provider:
        raise UnknownPayment(
            f"no {notification.provider.value} payment {reference or payment_id!r}"
        )
    return payment


def _confirmed_meanwhile(uow: UnitOfWork, payment_id: int, charge_id: str) -> Payment:
    payment = uow.payments.get(payment_id)
    if not payment.is_confirmed_by(charge_id):
        raise StaleAggregate(f"payment {payment_id} changed while it was confirmed")
    return payment


def _deliver(uow: UnitOfWork, payment: Payment) -> None:
    if payment.purpose is PaymentPurpose.GIFT_CARD:
        card = uow.gift_cards.get(payment.gift_card_id or 0)
        card.activate()
        if not uow.gift_cards.activate(card):
            raise StaleAggregate(f"gift card {card.id} changed while it was activated")
        return
    uow.wallets.post(payment.buyer_id, postings.purchase(payment))
