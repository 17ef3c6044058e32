"""The provider adapters as the container builds them: each real provider only with its
key, every one downloading through the shared `Delivery`, and the webhook verifiers of the
providers whose deliveries can be verified."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from genmedia.adapters.providers.bfl import BflProvider, BflWebhookVerifier
from genmedia.adapters.providers.delivery import Delivery
from genmedia.adapters.providers.fal import (
    FalProvider,
    FalSchemaSource,
    FalWebhookKeys,
    FalWebhookVerifier,
)
from genmedia.adapters.providers.openrouter import OpenRouterProvider
from genmedia.adapters.providers.replicate import (
    ReplicateProvider,
    ReplicateSchemaSource,
    ReplicateWebhookVerifier,
)
from genmedia.application.errors import UndecryptableSecret
from genmedia.application.ports import ModelSchemaSource, ProviderGateway, WebhookVerifier

log = logging.getLogger("genmedia.providers")


def api_key(
    configured: str | None, setting: str, lookup: Callable[[str], str | None]
) -> str | None:
    """A provider's API key: the configured one (the environment wins), else the setting
    named `setting`, read once when the provider is built. A setting that cannot be read or
    decrypted leaves the provider out, with a warning that names the setting, never its value."""
    if configured:
        return configured
    try:
        return lookup(setting)
    except UndecryptableSecret:
        log.warning("setting %s cannot be decrypted with the configured keys", setting)
    except SQLAlchemyError as error:
        log.warning("setting %s could not be read: %s", setting, type(error).__name__)
    return None


def delivery(max_bytes: int, timeout: float, allow_private: bool) -> Iterator[Delivery]:
    """The shared downloader of provider results, closed with the container."""
    downloader = Delivery(max_bytes=max_bytes, timeout=timeout, allow_private=allow_private)
    yield downloader
    downloader.close()


def bfl(
    api_key: str | None,
    base_url: str,
    timeout: float,
    poll_after: float,
    webhook_secret: str | None,
    fetch_result: Callable[[str], bytes],
) -> Iterator[BflProvider | None]:
    """Black Forest Labs, if its key is set."""
    if not api_key:
        yield None
        return
    provider = BflProvider(
        api_key=api_key,
        fetch_result=fetch_result,
        base_url=base_url,
        timeout=timeout,
        poll_after=poll_after,
        webhook_secret=webhook_secret,
    )
    yield provider
    provider.close()


def openrouter(
    api_key: str | None, base_url: str, timeout: float, fetch_result: Callable[[str], bytes]
) -> Iterator[OpenRouterProvider | None]:
    """OpenRouter, if its key is set."""
    if not api_key:
        yield None
        return
    provider = OpenRouterProvider(
        api_key=api_key, base_url=base_url, timeout=timeout, fetch_result=fetch_result
    )
    yield provider
    provider.close()


def replicate(
    api_key: str | None,
    fetch_result: Callable[[str], bytes],
    cancel_after: int | None,
    job_timeout: int,
    **settings: Any,
) -> Iterator[ReplicateProvider | None]:
    """Replicate, if its key is set; its predictions cancel themselves after the job's
    timeout unless `cancel_after` says otherwise."""
    if not api_key:
        yield None
        return
    provider = ReplicateProvider(
        api_key=api_key,
        fetch_result=fetch_result,
        cancel_after=cancel_after or job_timeout,
        **settings,
    )
    yield provider
    provider.close()


def fal(
    api_key: str | None,
    base_url: str,
    timeout: float,
    poll_after: float,
    fetch_result: Callable[[str], bytes],
) -> Iterator[FalProvider | None]:
    """fal.ai, if its key is set."""
    if not api_key:
        yield None
        return
    provider = FalProvider(
        api_key=api_key,
        fetch_result=fetch_result,
        base_url=base_url,
        timeout=timeout,
        poll_after=poll_after,
    )
    yield provider
    provider.close()


def fal_webhook_keys(url: str) -> Iterator[FalWebhookKeys]:
    """fal's published webhook keys, read from `url` when first needed."""
    keys = FalWebhookKeys(url=url)
    yield keys
    keys.close()


def fal_schemas(api_key: str | None, url: str, timeout: float) -> Iterator[FalSchemaSource | None]:
    """fal's published input schemas, if its key is set (the documents need none)."""
    if not api_key:
        yield None
        return
    source = FalSchemaSource(url=url, timeout=timeout)
    yield source
    source.close()


def replicate_schemas(
    api_key: str | None, base_url: str, timeout: float
) -> Iterator[ReplicateSchemaSource | None]:
    """Replicate's published input schemas, if its key is set."""
    if not api_key:
        yield None
        return
    source = ReplicateSchemaSource(api_key=api_key, base_url=base_url, timeout=timeout)
    yield source
    source.close()


def schema_sources(*sources: ModelSchemaSource | None) -> dict[str, ModelSchemaSource]:
    """The schema sources of the providers that are set up, by provider name."""
    return {source.provider: source for source in sources if source is not None}


def registered(**gateways: ProviderGateway | None) -> dict[str, ProviderGateway]:
    """The providers that are set up, by name."""
    return {name: gateway for name, gateway in gateways.items() if gateway is not None}


def webhook_verifiers(
    bfl_secret: str | None,
    replicate_secret: str | None,
    fal_key: str | None,
    fal_keys: Callable[[], FalWebhookKeys],
) -> dict[str, WebhookVerifier]:
    """A verifier per provider whose deliveries can be verified: BFL's and Replicate's with
    their webhook secrets, fal's (signed with the keys it publishes) once its key is set.
    Only those providers' webhooks are heard."""
    verifiers: list[WebhookVerifier] = []
    if bfl_secret:
        verifiers.append(BflWebhookVerifier(bfl_secret))
    if replicate_secret:
        verifiers.append(ReplicateWebhookVerifier(replicate_secret))
    if fal_key:
        verifiers.append(FalWebhookVerifier(fal_keys()))
    return {verifier.provider: verifier for verifier in verifiers}
