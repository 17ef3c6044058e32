"""Wallet and commerce (SPEC WAL-1…8): balances, ledger, packs, payments, codes."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.adapters.payments import StripeVerifier, TelegramStarsVerifier
from genmedia.application.commerce import (
    coupons,
    gift_cards,
    payment_webhooks,
    purchases,
    rates,
    redemptions,
    refunds,
)
from genmedia.application.ports import Clock, PaymentVerifier
from genmedia.application.wallet import accounts
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow
clock = Infrastructure.clock
config = Infrastructure.config


def build_payment_verifiers(
    stripe_secret: str | None, stripe_tolerance: int, telegram_secret: str | None, clock: Clock
) -> dict[str, PaymentVerifier]:
    """The verifier of each enabled payment webhook, by its name in the path; a provider
    is enabled by its secret."""
    verifiers: dict[str, PaymentVerifier] = {}
    if stripe_secret:
        tolerance = timedelta(seconds=stripe_tolerance)
        verifiers["stripe"] = StripeVerifier(stripe_secret, clock=clock, tolerance=tolerance)
    if telegram_secret:
        verifiers["telegram"] = TelegramStarsVerifier(telegram_secret)
    return verifiers


class CommerceServices(Infrastructure):
    """The wallet and its ledger, credit packs, payments, refunds, coupons and gift cards."""

    wallet_of = providers.Callable(accounts.wallet_of, uow=uow)
    ledger_of = providers.Callable(accounts.ledger_of, uow=uow)
    adjust_credits = providers.Callable(accounts.adjust_credits, uow=uow)
    expire_holds = providers.Callable(accounts.expire_holds, uow=uow)
    expire_lots = providers.Callable(accounts.expire_lots, uow=uow)
    expire_gift_cards = providers.Callable(gift_cards.expire_gift_cards, uow=uow)
    credit_rate = providers.Callable(
        rates.credit_rate, uow=uow, cipher=Infrastructure.cipher, configured=config.vnd_per_credit
    )
    create_credit_pack = providers.Callable(purchases.create_credit_pack, uow=uow)
    list_credit_packs = providers.Callable(purchases.list_credit_packs, uow=uow)
    start_purchase = providers.Callable(purchases.start_purchase, uow=uow, clock=clock)
    purchase_of = providers.Callable(purchases.purchase_of, uow=uow)
    confirm_payment = providers.Callable(purchases.confirm_payment, uow=uow, clock=clock)
    refund_purchase = providers.Callable(refunds.refund_purchase, uow=uow, clock=clock)
    apply_payment_notification = providers.Callable(
        refunds.apply_notification, uow=uow, clock=clock
    )
    payment_verifiers = providers.ThreadSafeSingleton(
        build_payment_verifiers,
        stripe_secret=config.stripe_webhook_secret,
        stripe_tolerance=config.stripe_webhook_tolerance,
        telegram_secret=config.telegram_webhook_secret,
        clock=clock,
    )
    receive_payment = providers.Callable(
        payment_webhooks.receive_payment, verifiers=payment_verifiers, uow=uow, clock=clock
    )
    create_coupon = providers.Callable(coupons.create_coupon, uow=uow)
    buy_gift_card = providers.Callable(gift_cards.buy_gift_card, uow=uow, clock=clock)
    redeem_code = providers.Callable(redemptions.redeem_code, uow=uow, clock=clock)
