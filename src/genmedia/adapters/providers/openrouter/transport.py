"""The HTTP side: one shared, lazily created httpx.Client and the error mapping of each call."""

from __future__ import annotations

import json
from typing import Any

import httpx

from genmedia.adapters.providers.api_client import ApiClient, bounded
from genmedia.adapters.providers.openrouter.errors import (
    error_for_status,
    error_for_transport,
    shorten,
)
from genmedia.adapters.providers.openrouter.secret import ApiKey
from genmedia.application.errors import ProviderError

_USER_AGENT = "genmedia-openrouter/0.1"
_CONNECT_TIMEOUT = 10.0


class Transport:
    """Sends OpenRouter's requests over one connection pool, safe to share between threads.

    The `Authorization` header goes on each API request, never on the client's default
    headers, and API requests follow no redirect, so the key reaches no other host. An
    answer is read up to `max_answer_bytes` (its images are inline, as base64).
    """

    def __init__(
        self,
        *,
        api_key: ApiKey,
        timeout: float,
        client: httpx.Client | None,
        max_answer_bytes: int,
    ) -> None:
        self._key = api_key
        # A long read: the answer comes once the image is made, often 10-60 s later.
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))
        self._max_answer_bytes = max_answer_bytes
        self._http = ApiClient(user_agent=_USER_AGENT, timeout=self._timeout, client=client)

    @property
    def client(self) -> httpx.Client:
        """The shared client, created on first use."""
        return self._http.get()

    def post(self, url: str, body: dict[str, Any]) -> Any:
        """POST a JSON body with the key; OpenRouter's JSON answer, or a ProviderError."""
        headers = {"Authorization": self._key.bearer(), "Accept": "application/json"}
        timeout = bounded(self._timeout, "OpenRouter")
        failure: ProviderError | None = None
        try:
            with self.client.stream(
                "POST",
                url,
                json=body,
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
            ) as response:
                status, answer_headers = response.status_code, response.headers
                content = self._read_capped(response)
        except httpx.HTTPError as err:
            failure = error_for_transport(err, self._key)
        except httpx.InvalidURL:
            failure = ProviderError("provider_error", "unusable OpenRouter URL")
        # Raised outside the except blocks so the httpx error, whose request holds the
        # Authorization header, is not kept as the ProviderError's context.
        if failure is not None:
            raise failure
        if status >= 400:
            raise error_for_status(status, answer_headers, content, self._key)
        if status != 200:
            raise ProviderError("provider_error", f"OpenRouter answered {status}")
        try:
            return json.loads(content)
        except ValueError:
            text = shorten(self._key.scrub(content.decode("utf-8", "replace")))
            failure = ProviderError(
                "provider_error", f"OpenRouter answered 200 without JSON: {text}"
            )
        raise failure

    def close(self) -> None:
        """Close the pool if this transport created it; a client passed in stays open."""
        self._http.close()

    def _read_capped(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_answer_bytes:
                raise ProviderError(
                    "result_too_large",
                    f"OpenRouter's answer is larger than {self._max_answer_bytes} bytes",
                )
            chunks.append(chunk)
        return b"".join(chunks)
