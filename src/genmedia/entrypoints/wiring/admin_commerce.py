"""Admin of commerce and operations (API.md, Admin): coupons, gift cards, credit packs,
users and their credits, job retries."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.application.admin import coupons, credit_packs, credits, gift_cards, jobs
from genmedia.application.identity import users
from genmedia.entrypoints.infrastructure import Infrastructure

config = Infrastructure.config
uow = Infrastructure.uow
clock = Infrastructure.clock


class AdminCommerceServices(Infrastructure):
    """The admin's writes and reads of coupons, gift cards, packs, users' credits and jobs."""

    admin_list_coupons = providers.Callable(coupons.list_coupons, uow=uow)
    admin_get_coupon = providers.Callable(coupons.get_coupon, uow=uow)
    admin_create_coupon = providers.Callable(coupons.create_coupon, uow=uow, clock=clock)
    admin_update_coupon = providers.Callable(coupons.update_coupon, uow=uow, clock=clock)
    admin_delete_coupon = providers.Callable(coupons.delete_coupon, uow=uow, clock=clock)
    admin_list_gift_cards = providers.Callable(gift_cards.list_gift_cards, uow=uow)
    admin_get_gift_card = providers.Callable(gift_cards.get_gift_card, uow=uow)
    admin_issue_gift_card = providers.Callable(gift_cards.issue_gift_card, uow=uow, clock=clock)
    admin_update_gift_card = providers.Callable(gift_cards.update_gift_card, uow=uow, clock=clock)
    admin_delete_gift_card = providers.Callable(gift_cards.delete_gift_card, uow=uow, clock=clock)
    admin_list_packs = providers.Callable(credit_packs.list_packs, uow=uow)
    admin_get_pack = providers.Callable(credit_packs.get_pack, uow=uow)
    admin_create_pack = providers.Callable(credit_packs.create_pack, uow=uow, clock=clock)
    admin_update_pack = providers.Callable(credit_packs.update_pack, uow=uow, clock=clock)
    admin_delete_pack = providers.Callable(credit_packs.delete_pack, uow=uow, clock=clock)
    admin_list_users = providers.Callable(credits.list_users, uow=uow)
    admin_user_account = providers.Callable(users.profile, uow=uow)
    admin_adjust_credits = providers.Callable(credits.adjust_credits, uow=uow, clock=clock)
    admin_retry_job = providers.Callable(
        jobs.retry_job,
        uow=uow,
        clock=clock,
        hold_ttl=providers.Callable(timedelta, seconds=config.hold_ttl_seconds),
    )
