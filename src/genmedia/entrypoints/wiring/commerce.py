"""Wallet and commerce (SPEC WAL-1…8): balances, ledger, packs, payments, codes."""

from __future__ import annotations

from dependency_injector import providers

from genmedia.application.commerce import coupons, gift_cards, purchases, redemptions, refunds
from genmedia.application.wallet import accounts
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow
clock = Infrastructure.clock


class CommerceServices(Infrastructure):
    """The wallet and its ledger, credit packs, payments, refunds, coupons and gift cards."""

    wallet_of = providers.Callable(accounts.wallet_of, uow=uow)
    ledger_of = providers.Callable(accounts.ledger_of, uow=uow)
    adjust_credits = providers.Callable(accounts.adjust_credits, uow=uow)
    expire_holds = providers.Callable(accounts.expire_holds, uow=uow)
    expire_lots = providers.Callable(accounts.expire_lots, uow=uow)
    expire_gift_cards = providers.Callable(gift_cards.expire_gift_cards, uow=uow)
    create_credit_pack = providers.Callable(purchases.create_credit_pack, uow=uow)
    list_credit_packs = providers.Callable(purchases.list_credit_packs, uow=uow)
    start_purchase = providers.Callable(purchases.start_purchase, uow=uow, clock=clock)
    confirm_payment = providers.Callable(purchases.confirm_payment, uow=uow, clock=clock)
    refund_purchase = providers.Callable(refunds.refund_purchase, uow=uow, clock=clock)
    apply_payment_notification = providers.Callable(
        refunds.apply_notification, uow=uow, clock=clock
    )
    create_coupon = providers.Callable(coupons.create_coupon, uow=uow)
    buy_gift_card = providers.Callable(gift_cards.buy_gift_card, uow=uow, clock=clock)
    redeem_code = providers.Callable(redemptions.redeem_code, uow=uow, clock=clock)
