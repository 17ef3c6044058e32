"""A plain downloader of result URLs for provider tests, standing in for the delivery module:
no credentials, loopback allowed, and the delivery module's error codes."""

from __future__ import annotations

import httpx

from genmedia.application.errors import ProviderError

_EXPIRED = frozenset({403, 404, 410})


def loopback_download(url: str) -> bytes:
    """The bytes at `url`; result_expired once the file is gone, result_unavailable on
    timeouts, connect errors and 5xx."""
    try:
        response = httpx.get(url, timeout=10.0)
    except httpx.HTTPError as err:
        raise ProviderError("result_unavailable", type(err).__name__, retryable=True) from None
    if response.status_code in _EXPIRED:
        raise ProviderError("result_expired", f"the result URL answered {response.status_code}")
    if response.status_code >= 400:
        message = f"the result URL answered {response.status_code}"
        raise ProviderError("result_unavailable", message, retryable=True)
    return response.content
