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
from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.queue.broker import DramatiqJobQueue, make_broker
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.adapters.system.clock import SystemClock
from genmedia.adapters.system.passwords import ScryptPasswordHasher
from genmedia.application import dispatch, generation, queries, seeding, users, wallet
from genmedia.application.runner import JobRunner
from genmedia.entrypoints.settings import Settings


def _engine(url: str, pool_size: int) -> Iterator[sqlalchemy.Engine]:
    engine = create_engine(url, pool_size=pool_size)
    yield engine
    engine.dispose()


def _broker(redis_url: str | None) -> Iterator[Broker]:
    broker = make_broker(redis_url)
    yield broker
    broker.close()


def worker_id() -> str:
    """A name for this worker process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Container(containers.DeclarativeContainer):
    """Everything genmedia needs, built lazily from `config` (see Settings)."""

    config = providers.Configuration(strict=True)

    engine = providers.Resource(_engine, url=config.database_url, pool_size=config.pool_size)
    broker = providers.Resource(_broker, redis_url=config.redis_url)

    clock = providers.ThreadSafeSingleton(SystemClock)
    hasher = providers.ThreadSafeSingleton(ScryptPasswordHasher)
    uow = providers.Factory(SqlUnitOfWork, engine=engine)
    storage = providers.ThreadSafeSingleton(LocalDirectoryStorage, root=config.storage_dir)
    images = providers.ThreadSafeSingleton(PillowImageProcessor)
    local_provider = providers.ThreadSafeSingleton(
        LocalProvider, task_dir=config.provider_task_dir, async_polls=config.local_async_polls
    )
    provider_gateways = providers.Dict(local=local_provider)
    job_queue = providers.ThreadSafeSingleton(DramatiqJobQueue, broker=broker)

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
    estimate_request = providers.Callable(generation.estimate_request, uow=uow, clock=clock)
    hold_ttl = providers.Callable(timedelta, seconds=config.hold_ttl_seconds)
    submit_request = providers.Callable(
        generation.submit_request, uow=uow, clock=clock, hold_ttl=hold_ttl
    )
    cancel_request = providers.Callable(generation.cancel_request, uow=uow, clock=clock)
    request_details = providers.Callable(queries.request_details, uow=uow)
    wallet_of = providers.Callable(wallet.wallet_of, uow=uow)
    ledger_of = providers.Callable(wallet.ledger_of, uow=uow)
    adjust_credits = providers.Callable(wallet.adjust_credits, uow=uow)
    expire_holds = providers.Callable(wallet.expire_holds, uow=uow)
    expire_lots = providers.Callable(wallet.expire_lots, uow=uow)
    find_user = providers.Callable(queries.find_user, uow=uow)
    list_features = providers.Callable(queries.list_features, uow=uow)
    dispatch_pending = providers.Callable(
        dispatch.dispatch_pending, uow=uow, queue=job_queue, clock=clock
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
    )


def build_container(settings: Settings | None = None) -> Container:
    """A container configured from `settings`, or from the GENMEDIA_* environment."""
    container = Container()
    container.config.from_dict((settings or Settings.from_env()).as_config())
    return container
