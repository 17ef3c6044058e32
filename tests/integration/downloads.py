"""A plain downloader of loopback result URLs, for tests of providers that take one.

It stands in for the shared delivery adapter: no credentials, loopback only, and the same
error codes (`result_expired` for 403/404/410, `result_unavailable` for 5xx and transport
failures, `result_url_forbidden` for any other host).
"""

from __future__ import annotations

import httpx

from genmedia.application.errors import ProviderError

_EXPIRED = frozenset({403, 404, 410})


class LoopbackDownloads:
    """Downloads 127.0.0.1 URLs with a bare client and remembers every URL it was given."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if httpx.URL(url).host != "127.0.0.1":
            raise ProviderError("result_url_forbidden", "only loopback URLs in tests")
        failure: ProviderError | None = None
        try:
            response = httpx.get(url, timeout=self.timeout)
        except httpx.HTTPError as err:
            failure = ProviderError("result_unavailable", type(err).__name__, retryable=True)
        if failure is not None:
            raise failure
        if response.status_code in _EXPIRED:
            raise ProviderError("result_expired", f"the result URL answered {response.status_code}")
        if response.status_code >= 400:
            message = f"the result URL answered {response.status_code}"
            raise ProviderError("result_unavailable", message, retryable=True)
        return response.content
