"""The HTTP side: one shared, lazily created httpx.Client and the error mapping of every call."""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from genmedia.adapters.providers.api_client import ApiClient, json_of
from genmedia.adapters.providers.fal.errors import Stage, error_for_response, error_for_transport
from genmedia.adapters.providers.fal.secret import FalKey
from genmedia.application.errors import ProviderError

_USER_AGENT = "genmedia-fal/0.1"


@attrs.frozen
class Answer:
    """fal's JSON answer to an API request, and its response headers."""

    status: int
    body: Any
    headers: httpx.Headers


class Transport:
    """Sends fal's API requests over one connection pool, safe to share between threads.

    The `Authorization` header goes on each API request, never on the client's defaults,
    and API requests follow no redirect, so the key never reaches another host. Result
    files are not downloaded here: the provider's injected downloader does that.
    """

    def __init__(self, *, key: FalKey, timeout: float, client: httpx.Client | None) -> None:
        self._key = key
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
        accept: frozenset[int] = frozenset(),
    ) -> Answer:
        """Send an authenticated request; fal's answer, or a ProviderError for an error
        status (except those in `accept`), a failed transport or an answer without JSON."""
        headers = {"Authorization": self._key.header(), "Accept": "application/json"}
        response = self._http.request(
            method,
            url,
            provider="fal",
            transport_error=lambda err: error_for_transport(err, stage, self._key),
            json=json,
            params=params,
            headers=headers,
            timeout=self._timeout,
        )
        if response.status_code >= 400 and response.status_code not in accept:
            raise error_for_response(response, stage, self._key)
        body = json_of(response, lambda: _bad_answer(stage, response.status_code))
        return Answer(response.status_code, body, response.headers)

    def close(self) -> None:
        """Close the pool if this transport created it; a client passed in stays open."""
        self._http.close()


def _bad_answer(stage: Stage, status: int) -> ProviderError:
    if stage == "submit":
        return ProviderError(
            "submit_outcome_unknown",
            f"fal answered {status} to the submit but not with JSON; the request may exist",
        )
    return ProviderError(
        "provider_unavailable", f"fal answered {status} without JSON", retryable=True
    )
