"""The composition root: builds every adapter from settings and binds the use cases."""

from __future__ import annotations

import os
from datetime import timedelta

from dependency_injector import providers

from genmedia.application.catalog import model_sync, seeding, templates, trends
from genmedia.application.catalog import queries as catalog_queries
from genmedia.application.commerce import coupons, gift_cards, purchases, redemptions, refunds
from genmedia.application.execution import dispatch, polls, rescue, webhooks
from genmedia.application.execution.policy import RetryPolicy
from genmedia.application.execution.runner import JobRunner
from genmedia.application.generation import queries as generation_queries
from genmedia.application.generation import requests
from genmedia.application.identity import sessions, users
from genmedia.application.media import library, uploads
from genmedia.application.operations import health, idempotency, retention
from genmedia.application.wallet import accounts
from genmedia.domain.limits import Limit
from genmedia.domain.trending import TrendFormula
from genmedia.domain.uploads import UploadLimits
from genmedia.entrypoints.infrastructure import Infrastructure, worker_id
from genmedia.entrypoints.settings import Settings, provider_limits


class Container(Infrastructure):
    """Everything genmedia needs, built lazily from `config` (see Settings): the adapters of
    `Infrastructure` and the use cases bound to them."""

    config = Infrastructure.config
    uow = Infrastructure.uow
    clock = Infrastructure.clock
    hasher = Infrastructure.hasher
    storage = Infrastructure.storage
    images = Infrastructure.images
    provider_gateways = Infrastructure.provider_gateways
    job_queue = Infrastructure.job_queue
    metrics = Infrastructure.metrics
    counters = Infrastructure.counters

    session_policy = providers.ThreadSafeSingleton(
        sessions.SessionPolicy,
        lifetime=providers.Callable(timedelta, seconds=config.session_ttl_seconds),
        per_account=providers.Factory(
            Limit, config.login_failures_per_account, config.login_failure_window
        ),
        per_address=providers.Factory(
            Limit, config.login_failures_per_address, config.login_failure_window
        ),
    )
    # Identity (SPEC IDN-1, IDN-2): sessions, API tokens, the caller's profile.
    register = providers.Callable(
        sessions.register,
        uow=uow,
        hasher=hasher,
        clock=clock,
        policy=session_policy,
        welcome_credits=config.welcome_credits,
    )
    log_in = providers.Callable(
        sessions.log_in,
        uow=uow,
        hasher=hasher,
        clock=clock,
        counters=counters,
        policy=session_policy,
    )
    log_out = providers.Callable(sessions.log_out, uow=uow)
    authenticate = providers.Callable(sessions.authenticate, uow=uow, clock=clock)
    issue_api_token = providers.Callable(sessions.issue_api_token, uow=uow, clock=clock)
    revoke_api_token = providers.Callable(sessions.revoke_api_token, uow=uow)
    expire_sessions = providers.Callable(sessions.expire_sessions, uow=uow, clock=clock)
    profile = providers.Callable(users.profile, uow=uow)
    check_readiness = providers.Callable(health.check_readiness, probes=Infrastructure.probes)
    # Idempotency-Key (API.md, Conventions): one run per caller and key, the answer kept.
    claim_idempotency_key = providers.Callable(
        idempotency.claim_key,
        uow=uow,
        clock=clock,
        lifetime=providers.Callable(timedelta, seconds=config.idempotency_ttl_seconds),
    )
    answer_idempotency_key = providers.Callable(idempotency.answer_key, uow=uow)
    release_idempotency_key = providers.Callable(idempotency.release_key, uow=uow)
    expire_idempotency_keys = providers.Callable(idempotency.expire_keys, uow=uow, clock=clock)
    create_user = providers.Callable(
        users.create_user,
        uow=uow,
        hasher=hasher,
        clock=clock,
        welcome_credits=config.welcome_credits,
    )
    ensure_user = providers.Callable(
        users.ensure_user,
        uow=uow,
        hasher=hasher,
        clock=clock,
        welcome_credits=config.welcome_credits,
    )
    seed_catalog = providers.Callable(
        seeding.seed_catalog,
        uow=uow,
        hasher=hasher,
        clock=clock,
        admin_email=config.admin_email,
        admin_password=config.admin_password,
    )
    sync_model_schema = providers.Callable(
        model_sync.sync_model_schema, sources=Infrastructure.schema_sources, uow=uow, clock=clock
    )
    estimate_request = providers.Callable(requests.estimate_request, uow=uow, clock=clock)
    hold_ttl = providers.Callable(timedelta, seconds=config.hold_ttl_seconds)
    submit_request = providers.Callable(
        requests.submit_request, uow=uow, clock=clock, hold_ttl=hold_ttl
    )
    cancel_request = providers.Callable(requests.cancel_request, uow=uow, clock=clock)
    delete_request = providers.Callable(requests.delete_request, uow=uow, clock=clock)
    request_details = providers.Callable(generation_queries.request_details, uow=uow)
    request_of = providers.Callable(generation_queries.request_of, uow=uow)
    list_requests = providers.Callable(generation_queries.list_requests, uow=uow)
    wallet_of = providers.Callable(accounts.wallet_of, uow=uow)
    ledger_of = providers.Callable(accounts.ledger_of, uow=uow)
    adjust_credits = providers.Callable(accounts.adjust_credits, uow=uow)
    expire_holds = providers.Callable(accounts.expire_holds, uow=uow)
    expire_lots = providers.Callable(accounts.expire_lots, uow=uow)
    expire_gift_cards = providers.Callable(gift_cards.expire_gift_cards, uow=uow)
    # Media (SPEC GEN-8, GEN-9): uploads, the user's library, favorites, downloads.
    upload_limits = providers.ThreadSafeSingleton(
        UploadLimits, max_bytes=config.upload_max_bytes, max_pixels=config.upload_max_pixels
    )
    upload_media = providers.Callable(
        uploads.upload_media, uow=uow, storage=storage, images=images, limits=upload_limits
    )
    store_upload = providers.Callable(uploads.store_upload, uow=uow, storage=storage, images=images)
    list_media = providers.Callable(
        library.list_media, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    get_media = providers.Callable(
        library.get_media, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    link_media = providers.Callable(
        library.link_media, storage=storage, url_expiry=config.url_expiry
    )
    set_favorite = providers.Callable(library.set_favorite, uow=uow)
    media_content = providers.Callable(
        library.media_content, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    delete_media = providers.Callable(retention.delete_media, uow=uow, clock=clock)
    # Commerce (SPEC WAL-4…6): packs, payments, refunds, coupons, gift cards, redeeming codes.
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
    heartbeat = providers.Callable(
        rescue.beat, providers.Callable(worker_id), providers.Callable(os.getpid), uow=uow
    )
    worker_stopped = providers.Callable(rescue.stopped, providers.Callable(worker_id), uow=uow)
    find_user = providers.Callable(users.find_user, uow=uow)
    list_features = providers.Callable(catalog_queries.list_features, uow=uow)
    get_feature = providers.Callable(catalog_queries.get_feature, uow=uow)
    list_tags = providers.Callable(catalog_queries.list_tags, uow=uow)
    list_provider_models = providers.Callable(catalog_queries.list_provider_models, uow=uow)
    list_templates = providers.Callable(templates.list_templates, uow=uow)
    view_template = providers.Callable(templates.view_template, uow=uow, clock=clock)
    trend_formula = providers.Singleton(
        TrendFormula,
        window=providers.Callable(timedelta, hours=config.trend_window_hours),
        half_life=providers.Callable(timedelta, hours=config.trend_half_life_hours),
        use_weight=config.trend_use_weight,
    )
    refresh_trends = providers.Callable(
        trends.refresh_trends, uow=uow, clock=clock, formula=trend_formula
    )
    dispatch_policy = providers.Factory(
        dispatch.DispatchPolicy,
        batch=config.dispatch_batch,
        user_cap=config.user_concurrency,
        max_in_flight=config.max_in_flight,
        limits=providers.Callable(provider_limits, config.provider_concurrency),
    )
    dispatch_pending = providers.Callable(
        dispatch.dispatch_pending,
        uow=uow,
        queue=job_queue,
        clock=clock,
        policy=dispatch_policy,
        metrics=metrics,
    )
    apply_retention = providers.Callable(
        retention.apply_retention,
        uow=uow,
        storage=storage,
        clock=clock,
        job_days=config.job_retention_days,
        media_days=config.media_retention_days,
    )
    redispatch_lost = providers.Callable(
        dispatch.redispatch_lost, uow=uow, clock=clock, after_seconds=config.redispatch_after
    )
    rescue_orphans = providers.Callable(
        rescue.rescue_orphans,
        uow=uow.provider,
        queue=job_queue,
        clock=clock,
        heartbeat_timeout=config.heartbeat_timeout,
    )
    drop_stale_polls = providers.Callable(polls.drop_stale_polls, uow=uow, queue=job_queue)
    receive_webhook = providers.Callable(
        webhooks.receive_webhook,
        verifiers=Infrastructure.webhook_verifiers,
        uow=uow,
        queue=job_queue,
        clock=clock,
    )
    retry_policy = providers.Factory(
        RetryPolicy,
        job_timeout=providers.Callable(timedelta, seconds=config.job_timeout_seconds),
        base_delay=config.retry_base_delay,
        max_delay=config.retry_max_delay,
        webhook_pace=config.webhook_poll_interval,
    )
    job_runner = providers.ThreadSafeSingleton(
        JobRunner,
        uow=uow.provider,
        storage=storage,
        images=images,
        providers=provider_gateways,
        queue=job_queue,
        clock=clock,
        worker_id=providers.Callable(worker_id),
        retry=retry_policy,
        metrics=metrics,
        webhook_base=config.public_url,
    )


def build_container(settings: Settings | None = None) -> Container:
    """A container configured from `settings`, or from the GENMEDIA_* environment."""
    container = Container()
    container.config.from_dict((settings or Settings.from_env()).as_config())
    return container
