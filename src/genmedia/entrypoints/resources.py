"""The resources the container builds from settings: engine, broker, providers, signer."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy
from dramatiq.broker import Broker

from genmedia.adapters.providers.bfl import BflProvider
from genmedia.adapters.queue.broker import make_broker
from genmedia.adapters.sql.engine import create_engine
from genmedia.adapters.storage.signed_urls import UrlSigner, load_secret
from genmedia.application.ports import ProviderGateway


def open_engine(url: str, pool_size: int) -> Iterator[sqlalchemy.Engine]:
    """The SQLAlchemy engine, disposed of when the container shuts down."""
    engine = create_engine(url, pool_size=pool_size)
    yield engine
    engine.dispose()


def open_broker(redis_url: str | None, namespace: str) -> Iterator[Broker]:
    """The Dramatiq broker (Redis, or in process), closed when the container shuts down."""
    broker = make_broker(redis_url, namespace)
    yield broker
    broker.close()


def open_bfl(
    api_key: str | None, base_url: str, timeout: float, poll_after: float
) -> Iterator[BflProvider | None]:
    """The BFL provider if an API key is set, else None; closed on shutdown."""
    if not api_key:
        yield None
        return
    provider = BflProvider(
        api_key=api_key, base_url=base_url, timeout=timeout, poll_after=poll_after
    )
    yield provider
    provider.close()


def gateways_of(**gateways: ProviderGateway | None) -> dict[str, ProviderGateway]:
    """The provider gateways that are configured, by name."""
    return {name: gateway for name, gateway in gateways.items() if gateway is not None}


def url_signer_of(secret: str | None, home: Path, base_url: str) -> UrlSigner:
    """The signer of local media links; without a configured secret, the one kept in
    `home`, made on first use, so that every process of one installation shares it."""
    key = secret.encode() if secret else load_secret(home / "url-signing.key")
    return UrlSigner(key, base_url=base_url)


def worker_id() -> str:
    """A name for this worker process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"
