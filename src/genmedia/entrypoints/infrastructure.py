"""The adapters of the composition root, each built lazily from the settings."""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Callable, Iterator

import sqlalchemy
from dependency_injector import containers, providers
from dramatiq.broker import Broker

from genmedia.adapters.imaging.pillow import PillowImageProcessor
from genmedia.adapters.limits import MemoryCounters, RedisCounters
from genmedia.adapters.metrics.null import NoMetrics
from genmedia.adapters.metrics.prometheus import PrometheusMetrics
from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.queue import broker as queue_broker
from genmedia.adapters.queue.broker import DramatiqJobQueue, make_broker
from genmedia.adapters.sql import engine as sql_engine
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.adapters.storage.local import LocalDirectoryStorage
from genmedia.adapters.storage.s3 import S3Storage
from genmedia.adapters.storage.signed_urls import UrlSigner
from genmedia.adapters.system.cipher import FernetCipher, old_keys
from genmedia.adapters.system.clock import SystemClock
from genmedia.adapters.system.passwords import ScryptPasswordHasher
from genmedia.adapters.system.secret_key import load_secret_key
from genmedia.application.operations import stats
from genmedia.application.ports import ObjectStorage
from genmedia.application.settings import secrets
from genmedia.entrypoints import gateways


def _engine(url: str, pool_size: int) -> Iterator[sqlalchemy.Engine]:
    engine = create_engine(url, pool_size=pool_size)
    yield engine
    engine.dispose()


def _broker(redis_url: str | None, namespace: str) -> Iterator[Broker]:
    broker = make_broker(redis_url, namespace)
    yield broker
    broker.close()


def _redis_counters(url: str, namespace: str) -> Iterator[RedisCounters]:
    counters = RedisCounters(url, namespace)
    yield counters
    counters.close()


def _probes(
    engine: sqlalchemy.Engine, broker: Broker, storage: ObjectStorage
) -> dict[str, Callable[[], object]]:
    return {
        "database": functools.partial(sql_engine.ping, engine),
        "broker": functools.partial(queue_broker.ping, broker),
        "storage": functools.partial(storage.exists, "readyz-probe"),
    }


def worker_id() -> str:
    """A name for this worker process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Infrastructure(containers.DeclarativeContainer):
    """The adapters: database, broker, storage, providers, metrics, counters, clock."""

    config = providers.Configuration(strict=True)

    engine = providers.Resource(_engine, url=config.database_url, pool_size=config.pool_size)
    broker = providers.Resource(
        _broker, redis_url=config.redis_url, namespace=config.redis_namespace
    )

    clock = providers.ThreadSafeSingleton(SystemClock)
    hasher = providers.ThreadSafeSingleton(ScryptPasswordHasher)
    uow = providers.Factory(SqlUnitOfWork, engine=engine)
    secret_key = providers.ThreadSafeSingleton(
        load_secret_key, configured=config.secret_key, home=config.home
    )
    url_signer = providers.ThreadSafeSingleton(UrlSigner, secret_key, base_url=config.public_url)
    cipher = providers.ThreadSafeSingleton(
        FernetCipher, secret_key, old=providers.Callable(old_keys, config.secret_key_old)
    )
    # A provider's API key: GENMEDIA_<PROVIDER>_API_KEY, else the setting of the same name.
    secret_setting = providers.Callable(secrets.secret_setting, uow=uow, cipher=cipher)
    bfl_api_key = providers.Callable(
        gateways.api_key, config.bfl_api_key, "bfl_api_key", secret_setting.provider
    )
    fal_api_key = providers.Callable(
        gateways.api_key, config.fal_api_key, "fal_api_key", secret_setting.provider
    )
    openrouter_api_key = providers.Callable(
        gateways.api_key, config.openrouter_api_key, "openrouter_api_key", secret_setting.provider
    )
    replicate_api_key = providers.Callable(
        gateways.api_key, config.replicate_api_key, "replicate_api_key", secret_setting.provider
    )
    storage = providers.Selector(
        config.storage_kind,
        local=providers.ThreadSafeSingleton(
            LocalDirectoryStorage, root=config.storage_dir, signer=url_signer
        ),
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
    # The one downloader of provider result URLs, shared by every provider.
    delivery = providers.Resource(
        gateways.delivery,
        max_bytes=config.fetch_max_bytes,
        timeout=config.fetch_timeout,
        allow_private=config.fetch_allow_private,
    )
    bfl_provider = providers.Resource(
        gateways.bfl,
        api_key=bfl_api_key,
        base_url=config.bfl_base_url,
        timeout=config.bfl_timeout,
        poll_after=config.bfl_poll_after,
        webhook_secret=config.bfl_webhook_secret,
        fetch_result=delivery.provided.fetch,
    )
    openrouter_provider = providers.Resource(
        gateways.openrouter,
        api_key=openrouter_api_key,
        base_url=config.openrouter_base_url,
        timeout=config.openrouter_timeout,
        fetch_result=delivery.provided.fetch,
    )
    replicate_provider = providers.Resource(
        gateways.replicate,
        api_key=replicate_api_key,
        fetch_result=delivery.provided.fetch,
        cancel_after=config.replicate_cancel_after,
        job_timeout=config.job_timeout_seconds,
        base_url=config.replicate_base_url,
        timeout=config.replicate_timeout,
        poll_after=config.replicate_poll_after,
        accepts_webhooks=providers.Callable(bool, config.replicate_webhook_secret),
        training_destination=config.replicate_training_destination,
    )
    fal_provider = providers.Resource(
        gateways.fal,
        api_key=fal_api_key,
        base_url=config.fal_base_url,
        timeout=config.fal_timeout,
        poll_after=config.fal_poll_after,
        fetch_result=delivery.provided.fetch,
    )
    fal_webhook_keys = providers.Resource(gateways.fal_webhook_keys, url=config.fal_jwks_url)
    # Where fal and Replicate publish their models' input schemas (model sync, CAT-5).
    schema_sources = providers.Callable(
        gateways.schema_sources,
        providers.Resource(
            gateways.fal_schemas,
            api_key=fal_api_key,
            url=config.fal_schema_url,
            timeout=config.fal_timeout,
        ),
        providers.Resource(
            gateways.replicate_schemas,
            api_key=replicate_api_key,
            base_url=config.replicate_base_url,
            timeout=config.replicate_timeout,
        ),
    )
    webhook_verifiers = providers.ThreadSafeSingleton(
        gateways.webhook_verifiers,
        bfl_secret=config.bfl_webhook_secret,
        replicate_secret=config.replicate_webhook_secret,
        fal_key=fal_api_key,
        fal_keys=fal_webhook_keys.provider,
    )
    provider_gateways = providers.Callable(
        gateways.registered,
        local=local_provider,
        bfl=bfl_provider,
        fal=fal_provider,
        openrouter=openrouter_provider,
        replicate=replicate_provider,
    )
    job_queue = providers.ThreadSafeSingleton(DramatiqJobQueue, broker=broker)
    queue_stats = providers.Callable(stats.queue_stats, uow=uow, queue=job_queue)
    metrics = providers.Selector(
        config.metrics_kind,
        none=providers.ThreadSafeSingleton(NoMetrics),
        prometheus=providers.ThreadSafeSingleton(PrometheusMetrics, gauges=queue_stats.provider),
    )

    counters = providers.Selector(
        config.counters_kind,
        memory=providers.ThreadSafeSingleton(MemoryCounters),
        redis=providers.Resource(
            _redis_counters, url=config.redis_url, namespace=config.redis_namespace
        ),
    )
    probes = providers.Callable(_probes, engine=engine, broker=broker, storage=storage)
