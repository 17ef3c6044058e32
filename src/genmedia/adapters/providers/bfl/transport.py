"""The HTTP side: one shared, lazily created httpx.Client and the error mapping of every call."""

from __future__ import annotations

from typing import Any

import httpx

from genmedia.adapters.providers.api_client import ApiClient, json_of
from genmedia.adapters.providers.bfl.errors import (
    Stage,
    error_for_response,
    error_for_transport,
)
from genmedia.adapters.providers.bfl.secret import ApiKey
from genmedia.application.errors import ProviderError

_USER_AGENT = "genmedia-bfl/0.1"


class Transport:
    """Sends BFL's requests over one connection pool, safe to share between threads.

    The `x-key` header goes on each API request, never on the client's default headers.
    API requests do not follow redirects: httpx would pass a custom header like `x-key` on
    to another host. Samples are not downloaded here but by the provider's `fetch_result`
    (a `Delivery`), which never sees this client or the key.
    """

    def __init__(self, *, api_key: ApiKey, timeout: float, client: httpx.Client | None) -> None:
        self._key = api_key
        self._timeout = httpx.Timeout(timeout)
        self._http = ApiClient(user_agent=_USER_AGENT, timeout=self._timeout, client=client)

    @property
    def client(self) -> httpx.Client:
        """The shared client, created on first use."""
        return self._http.get()

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
        response = self._http.request(
            method,
            url,
            provider="BFL",
            transport_error=lambda err: error_for_transport(err, stage, self._key),
            json=json,
            params=params,
            headers=headers,
            timeout=self._timeout,
        )
        if response.status_code >= 400:
            raise error_for_response(response, stage, self._key)
        return json_of(response, lambda: _bad_answer(stage, response.status_code))

    def close(self) -> None:
        """Close the pool if this transport created it; a client passed in stays open."""
        self._http.close()


def _bad_answer(stage: Stage, status: int) -> ProviderError:
    if stage == "submit":
        return ProviderError(
            "submit_outcome_unknown",
            f"BFL answered {status} to the submit but not with JSON; the task may exist",
        )
    return ProviderError(
        "provider_unavailable", f"BFL answered {status} without JSON", retryable=True
    )
