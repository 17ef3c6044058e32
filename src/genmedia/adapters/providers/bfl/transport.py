"""The HTTP side: one shared, lazily created httpx.Client and the error mapping of every call."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from genmedia.adapters.providers.bfl.errors import (
    Stage,
    error_for_response,
    error_for_transport,
)
from genmedia.adapters.providers.bfl.secret import ApiKey
from genmedia.application.errors import ProviderError

_USER_AGENT = "genmedia-bfl/0.1"
_MAX_SAMPLE_BYTES = 64 * 1024 * 1024
_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=8)


class Transport:
    """Sends BFL's requests over one connection pool, safe to share between threads.

    The `x-key` header goes on each API request, never on the client's default headers, so
    downloads from the signed delivery URLs never carry it. API requests do not follow
    redirects: httpx would pass a custom header like `x-key` on to another host.
    """

    def __init__(self, *, api_key: ApiKey, timeout: float, client: httpx.Client | None) -> None:
        self._key = api_key
        self._timeout = httpx.Timeout(timeout)
        self._client = client
        self._owns_client = client is None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The shared client, created on first use."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(
                        timeout=self._timeout,
                        limits=_LIMITS,
                        follow_redirects=False,
                        headers={"User-Agent": _USER_AGENT},
                    )
                client = self._client
        return client

    def api(
        self,
        method: str,
        url: str,
        *,
        stage: Stage,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Send an authenticated API request; BFL's JSON answer, or a ProviderError."""
        headers = {"x-key": self._key.reveal(), "Accept": "application/json"}
        failure: ProviderError | None = None
        try:
            response = self.client.request(
                method,
                url,
                json=json,
                params=params,
                headers=headers,
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as err:
            failure = error_for_transport(err, stage, self._key)
        except httpx.InvalidURL:
            failure = ProviderError("provider_error", "unusable BFL URL")
        # Raised outside the except blocks so the httpx error, whose request holds the
        # x-key header, is not kept as the ProviderError's context.
        if failure is not None:
            raise failure
        if response.status_code >= 400:
            raise error_for_response(response, stage, self._key)
        try:
            return response.json()
        except ValueError:
            failure = _bad_answer(stage, response.status_code)
        raise failure

    def download(self, url: str) -> bytes:
        """The bytes at a signed delivery URL, fetched without the key; redirects are followed."""
        try:
            with self.client.stream(
                "GET", url, timeout=self._timeout, follow_redirects=True
            ) as response:
                if response.status_code < 400:
                    return _read_capped(response)
                response.read()
                failure = error_for_response(response, "fetch", self._key)
        except httpx.HTTPError as err:
            failure = error_for_transport(err, "fetch", self._key)
        except httpx.InvalidURL:
            failure = ProviderError("provider_error", "unusable result URL")
        raise failure

    def close(self) -> None:
        """Close the pool if this transport created it; a client passed in stays open."""
        if not self._owns_client:
            return
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > _MAX_SAMPLE_BYTES:
            raise ProviderError(
                "provider_error", f"the result is larger than {_MAX_SAMPLE_BYTES} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _bad_answer(stage: Stage, status: int) -> ProviderError:
    if stage == "submit":
        return ProviderError(
            "submit_outcome_unknown",
            f"BFL answered {status} to the submit but not with JSON; the task may exist",
        )
    return ProviderError(
        "provider_unavailable", f"BFL answered {status} without JSON", retryable=True
    )
