"""The HTTP side: one shared, lazily created httpx.Client and the error mapping of every call."""

from __future__ import annotations

from typing import Any

import httpx

from genmedia.adapters.providers.api_client import ApiClient, json_of
from genmedia.adapters.providers.replicate.errors import (
    Stage,
    error_for_response,
    error_for_transport,
)
from genmedia.adapters.providers.replicate.secret import ApiKey
from genmedia.application.errors import ProviderError

_USER_AGENT = "genmedia-replicate/0.1"


class Transport:
    """Sends Replicate's API requests over one connection pool, safe to share between threads.

    The `Authorization` header goes on each request, never on the client's defaults, and
    redirects are not followed, so the token only ever goes to the URL it was meant for.
    Result files are not downloaded here: the provider hands them to its downloader.
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
        headers: dict[str, str] | None = None,
        accept: frozenset[int] = frozenset(),
    ) -> Any:
        """Send an authenticated API request; Replicate's JSON answer, or a ProviderError
        for an error status (except those in `accept`)."""
        sent = {"Accept": "application/json", **(headers or {})}
        sent["Authorization"] = self._key.bearer()
        response = self._http.request(
            method,
            url,
            provider="Replicate",
            transport_error=lambda err: error_for_transport(err, stage, self._key),
            json=json,
            headers=sent,
            timeout=self._timeout,
        )
        if response.status_code >= 400 and response.status_code not in accept:
            raise error_for_response(response, stage, self._key)
        return json_of(response, lambda: _bad_answer(stage, response.status_code))

    def close(self) -> None:
        """Close the pool if this transport created it; a client passed in stays open."""
        self._http.close()


def _bad_answer(stage: Stage, status: int) -> ProviderError:
    if stage == "submit":
        return ProviderError(
            "submit_outcome_unknown",
            f"Replicate answered {status} to the create but not with JSON; it may exist",
        )
    return ProviderError(
        "provider_unavailable", f"Replicate answered {status} without JSON", retryable=True
    )
