"""The composition root: builds every adapter from settings and binds the use cases."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy
from dependency_injector import containers, providers
from dramatiq.broker import Broker

from genmedia.adapters.imaging.pillow import PillowImageProcessor
from genmedia.adapters.metrics.null import NoMetrics
from genmedia.adapters.metrics.prometheus import PrometheusMetrics
from genmedia.adapters.providers.bfl import BflProvider
from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.queue.broker import DramatiqJobQueue, make_broker
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.adapters.storage.s3 import S3Storage
from genmedia.adapters.system.clock import SystemClock
from genmedia.adapters.system.passwords import ScryptPasswordHasher
from genmedia.application.catalog import queries as catalog_queries
from genmedia.application.catalog import seeding
from genmedia.application.commerce import coupons, gift_cards, purchases, redemptions, refunds
from genmedia.application.execution import dispatch, polls, rescue
from genmedia.application.execution.runner import JobRunner, RetryPolicy
from genmedia.application.generation import queries as generation_queries
from genmedia.application.generation import requests
from genmedia.application.identity import users
from genmedia.application.operations import retention, stats
from genmedia.application.ports import ProviderGateway
from genmedia.application.wallet import accounts
from genmedia.entrypoints.settings import Settings


def _engine(url: str, pool_size: int) -> Iterator[sqlalchemy.Engine]:
    engine = create_engine(url, pool_size=pool_size)
    yield engine
    engine.dispose()


def _broker(redis_url: str | None, namespace: str) -> Iterator[Broker]:
    broker = make_broker(redis_url, namespace)
    yield broker
    broker.close()


def _bfl(
    api_key: str | None, base_url: str, timeout: float, poll_after: float
) -> Iterator[BflProvider | None]:
    if not api_key:
        yield None
        return
    provider = BflProvider(
        api_key=api_key, base_url=base_url, timeout=timeout, poll_after=poll_after
    )
    yield provider
    provider.close()


def _gateways(**gateways: ProviderGateway | None) -> dict[str, ProviderGateway]:
    return {name: gateway for name, gateway in gateways.items() if gateway is not None}


def worker_id() -> str:
    """A name for this worker process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Container(containers.DeclarativeContainer):
    """Everything genmedia needs, built lazily from `config` (see Settings)."""

    config = providers.Configuration(strict=True)

    engine = providers.Resource(_engine, url=config.database_url, pool_size=config.pool_size)
    broker = providers.Resource(
        _broker, redis_url=config.redis_url, namespace=config.redis_namespace
    )

    clock = providers.ThreadSafeSingleton(SystemClock)
    hasher = providers.ThreadSafeSingleton(ScryptPasswordHasher)
    uow = providers.Factory(SqlUnitOfWork, engine=engine)
    storage = providers.Selector(
        config.storage_kind,
        local=providers.ThreadSafeSingleton(LocalDirectoryStorage, root=config.storage_dir),
        s3=providers.ThreadSafeSingleton(
            S3Storage,
            bucket=config.s3_bucket,
            endpoint_url=config.s3_endpoint_url,
            region=config.s3_region,
            access_key_id=config.s3_access_key_id,
            secret_access_key=config.s3_secret_access_key,
            prefix=config.s3_prefix,
            create_bucket=config.s3_create_bucket,
        ),
    )
    images = providers.ThreadSafeSingleton(PillowImageProcessor)
    local_provider = providers.ThreadSafeSingleton(
        LocalProvider, task_dir=config.provider_task_dir, async_polls=config.local_async_polls
    )
    bfl_provider = providers.Resource(
        _bfl,
        api_key=config.bfl_api_key,
        base_url=config.bfl_base_url,
        timeout=config.bfl_timeout,
        poll_after=config.bfl_poll_after,
    )
    provider_gateways = providers.Callable(_gateways, local=local_provider, bfl=bfl_provider)
    job_queue = providers.ThreadSafeSingleton(DramatiqJobQueue, broker=broker)
    queue_stats = providers.Callable(stats.queue_stats, uow=uow, queue=job_queue)
    metrics = providers.Selector(
        config.metrics_kind,
        none=providers.ThreadSafeSingleton(NoMetrics),
        prometheus=providers.ThreadSafeSingleton(PrometheusMetrics, gauges=queue_stats.provider),
    )

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
    estimate_request = providers.Callable(requests.estimate_request, uow=uow, clock=clock)
    hold_ttl = providers.Callable(timedelta, seconds=config.hold_ttl_seconds)
    submit_request = providers.Callable(
        requests.submit_request, uow=uow, clock=clock, hold_ttl=hold_ttl
    )
    cancel_request = providers.Callable(requests.cancel_request, uow=uow, clock=clock)
    request_details = providers.Callable(generation_queries.request_details, uow=uow)
    wallet_of = providers.Callable(accounts.wallet_of, uow=uow)
    ledger_of = providers.Callable(accounts.ledger_of, uow=uow)
    adjust_credits = providers.Callable(accounts.adjust_credits, uow=uow)
    expire_holds = providers.Callable(accounts.expire_holds, uow=uow)
    expire_lots = providers.Callable(accounts.expire_lots, uow=uow)
    expire_gift_cards = providers.Callable(gift_cards.expire_gift_cards, uow=uow)
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
    dispatch_policy = providers.Factory(
        dispatch.DispatchPolicy,
        batch=config.dispatch_batch,
        user_cap=config.user_concurrency,
        max_in_flight=config.max_in_flight,
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
    retry_policy = providers.Factory(
        RetryPolicy,
        job_timeout=providers.Callable(timedelta, seconds=config.job_timeout_seconds),
        base_delay=config.retry_base_delay,
        max_delay=config.retry_max_delay,
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
    )


def build_container(settings: Settings | None = None) -> Container:
    """A container configured from `settings`, or from the GENMEDIA_* environment."""
    container = Container()
    container.config.from_dict((settings or Settings.from_env()).as_config())
    return container
