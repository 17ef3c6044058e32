"""fal's webhook public keys, read from its JWKS URL and cached."""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from genmedia.adapters.providers.fal.webhooks import WebhookRejected, verify_webhook
from genmedia.application.errors import ProviderError, ServiceUnavailable
from genmedia.application.ports import WebhookVerifier
from genmedia.domain.errors import InvalidSignature

log = logging.getLogger(__name__)

JWKS_URL = "https://rest.fal.ai/.well-known/jwks.json"
_KEY_BYTES = 32


def public_keys(document: Any) -> tuple[Ed25519PublicKey, ...]:
    """The Ed25519 keys of a JWKS document (`{"keys": [{"kty": "OKP", "crv": "Ed25519",
    "x": <base64url, padded or not>}]}`); other and malformed entries are skipped."""
    entries = document.get("keys") if isinstance(document, dict) else None
    keys = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and (entry.get("kty"), entry.get("crv")) == ("OKP", "Ed25519"):
            raw = _base64url(entry.get("x"))
            if raw is not None and len(raw) == _KEY_BYTES:
                keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return tuple(keys)


def _base64url(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    stripped = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        return None


class FalWebhookKeys:
    """Verifies fal's webhook deliveries with fal's keys, fetched from the JWKS URL (without
    any credential) and kept for `ttl` seconds. A signature no cached key verifies fetches
    the keys again first (fal rotates them), at most once per `refetch_after` seconds; if a
    fetch fails, keys fetched before are used, and without any it is provider_unavailable."""

    def __init__(
        self,
        *,
        url: str = JWKS_URL,
        ttl: float = 3600.0,
        refetch_after: float = 60.0,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._ttl = ttl
        self._refetch_after = refetch_after
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._owns_client = client is None
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: tuple[Ed25519PublicKey, ...] = ()
        self._fetched_at: float | None = None

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: float) -> str:
        """The request id a delivery is about (see `webhooks.verify_webhook`)."""
        try:
            return verify_webhook(body, headers, self.keys(), now=now)
        except WebhookRejected as rejected:
            if rejected.reason != "no_key_matches" or not self._may_refetch():
                raise
        return verify_webhook(body, headers, self.keys(refetch=True), now=now)

    def keys(self, *, refetch: bool = False) -> tuple[Ed25519PublicKey, ...]:
        """fal's keys: those cached while they are fresh, else fetched now."""
        with self._lock:
            at = self._fetched_at
            if refetch or at is None or self._clock() - at >= self._ttl:
                self._fetch()
            return self._keys

    def _may_refetch(self) -> bool:
        at = self._fetched_at
        return at is None or self._clock() - at >= self._refetch_after

    def _fetch(self) -> None:
        """Fetch the keys into the cache; on failure keep any fetched before."""
        try:
            response = self._client.get(self._url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = public_keys(response.json())
        except (httpx.HTTPError, ValueError) as err:
            keys = ()
            log.warning("fal JWKS at %s unreadable: %s", self._url, type(err).__name__)
        if keys:
            self._keys, self._fetched_at = keys, self._clock()
        elif self._keys:  # keep the old keys, and try again after `refetch_after`
            self._fetched_at = self._clock() - self._ttl + self._refetch_after
        else:
            raise ProviderError(
                "provider_unavailable", "fal's webhook keys are unavailable", retryable=True
            )

    def close(self) -> None:
        """Close the HTTP client, unless it was passed in."""
        if self._owns_client:
            self._client.close()


class FalWebhookVerifier(WebhookVerifier):
    """fal's deliveries, verified with the keys of fal's JWKS (`FalWebhookKeys`)."""

    provider = "fal"

    def __init__(self, keys: FalWebhookKeys, *, clock: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._clock = clock

    def task_of(self, headers: Mapping[str, str], body: bytes) -> str:
        """The request id of a genuine, timely delivery; InvalidSignature otherwise, and
        ServiceUnavailable while fal's keys cannot be read (fal delivers again later)."""
        try:
            return self._keys.verify(body, headers, now=self._clock())
        except WebhookRejected as rejected:
            raise InvalidSignature(str(rejected)) from None
        except ProviderError as err:
            raise ServiceUnavailable(err.message) from None
