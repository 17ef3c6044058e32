"""Downloading a provider's result URL safely (and `retry_after_seconds`, for every adapter).

Every provider hands back its outputs as URLs we did not choose. `Delivery.fetch` downloads
one without letting it reach our own network (see `addresses` and `guarded_network`): each
hop's host is checked before the request, and the connection goes only to an address that
was checked. It follows at most five redirects itself, checking each; sends no credentials
(no auth header, no cookie, no user:password of the URL); refuses a body larger than
`max_bytes`, announced or streamed; and gives the whole download `timeout` seconds of wall
clock. Failures are ProviderErrors: `result_url_forbidden`, `result_too_large`,
`result_expired` (401/403/404/410: the signed URL lapsed) and `result_unavailable`
(timeouts, connection failures, 5xx; retryable, except a redirect loop or another 4xx).
"""

from __future__ import annotations

import http.cookiejar
import threading
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpcore
import httpx

from genmedia.adapters.providers.addresses import (
    ForbiddenAddress,
    Resolver,
    public_addresses,
    system_resolver,
)
from genmedia.adapters.providers.guarded_network import (
    GuardedBackend,
    GuardedTransport,
    deadline_at,
)
from genmedia.adapters.providers.retry_after import retry_after_seconds
from genmedia.application.errors import ProviderError
from genmedia.application.ports.work_deadline import seconds_left

__all__ = ["MAX_REDIRECTS", "Delivery", "retry_after_seconds"]

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_EXPIRED = frozenset({401, 403, 404, 410})
_RETRYABLE = frozenset({408, 425, 429})
_HEADERS = {"User-Agent": "genmedia-delivery/0.1", "Accept": "*/*", "Accept-Encoding": "identity"}


class Delivery:
    """Downloads provider results: no private addresses, no credentials, capped, timed.

    `allow_private` lifts the address check, for tests and local fakes only. A client passed
    in is used as it is and left open; the address of each hop is still checked before its
    request, but only the default client also connects to nothing but the checked address.
    `resolve` and `network` replace the DNS lookup and the socket layer (tests).
    """

    def __init__(
        self,
        *,
        max_bytes: int,
        timeout: float,
        allow_private: bool = False,
        client: httpx.Client | None = None,
        resolve: Resolver = system_resolver,
        network: httpcore.NetworkBackend | None = None,
    ) -> None:
        if max_bytes <= 0 or timeout <= 0:
            raise ValueError("a download needs a positive size cap and timeout")
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.allow_private = allow_private
        self._resolve = resolve
        self._network = network
        self._client = client
        self._owns_client = client is None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"Delivery(max_bytes={self.max_bytes}, timeout={self.timeout}, "
            f"allow_private={self.allow_private})"
        )

    @property
    def client(self) -> httpx.Client:
        """The client downloads go through, created on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._guarded_client()
            return self._client

    def fetch(self, url: str) -> bytes:
        """The bytes at a result URL; a ProviderError saying why not otherwise."""
        left = seconds_left()
        budget = self.timeout if left is None else min(self.timeout, left)
        if budget <= 0:
            message = "the job's deadline passed before its download"
            raise ProviderError("deadline_exceeded", message)
        deadline = time.monotonic() + budget
        try:
            with deadline_at(deadline):
                return self._follow(url, deadline)
        except ForbiddenAddress as err:
            failure = ProviderError("result_url_forbidden", f"refused the result URL: {err}")
        except httpx.TimeoutException:
            failure = _unavailable(f"the download did not finish within {budget:g}s")
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            failure = _unavailable(f"the download failed ({detail[:200]})")
        raise failure

    def close(self) -> None:
        """Close the connection pool, unless the client was passed in."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None and self._owns_client:
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _guarded_client(self) -> httpx.Client:
        backend = GuardedBackend(
            resolve=self._resolve,
            allow_private=self.allow_private,
            inner=self._network or httpcore.SyncBackend(),
        )
        no_cookies = http.cookiejar.CookieJar(
            http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        )
        return httpx.Client(
            transport=GuardedTransport(backend), cookies=no_cookies, trust_env=False
        )

    def _follow(self, url: str, deadline: float) -> bytes:
        target = self._checked(_parsed(url))
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._hop(target, deadline)
            if isinstance(answer, bytes):
                return answer
            target = self._checked(answer)
        raise ProviderError(
            "result_unavailable", f"more than {MAX_REDIRECTS} redirects from {_origin(target)}"
        )

    def _checked(self, url: httpx.URL) -> httpx.URL:
        """The URL without user:password, once its scheme and its host's addresses pass."""
        if url.scheme not in ("http", "https") or not url.host:
            raise ProviderError("result_url_forbidden", "only http(s) URLs are downloaded")
        if not self.allow_private:
            host = url.raw_host.decode("ascii")  # as the connection will name it (IDNA)
            port = url.port or (443 if url.scheme == "https" else 80)
            try:
                public_addresses(host, port, self._resolve)
            except OSError:
                raise _unavailable(f"could not resolve {url.host}") from None
        return url.copy_with(username=None, password=None)

    def _hop(self, url: httpx.URL, deadline: float) -> bytes | httpx.URL:
        """The body of a 2xx answer, or where a redirect points; a ProviderError otherwise."""
        left = max(deadline - time.monotonic(), 0.001)
        request = httpx.Request("GET", url, headers=_HEADERS, extensions={"timeout": {
            "connect": left, "read": left, "write": left, "pool": left,
        }})  # fmt: skip
        response = self.client.send(request, stream=True, auth=None, follow_redirects=False)
        try:
            return self._answer(url, response)
        finally:
            response.close()

    def _answer(self, url: httpx.URL, response: httpx.Response) -> bytes | httpx.URL:
        status = response.status_code
        location = response.headers.get("location")
        if status in _REDIRECTS and location:
            return _redirected(url, location)
        if 200 <= status < 300:
            return self._body(response)
        if status in _EXPIRED:
            raise ProviderError("result_expired", f"the result URL no longer works ({status})")
        retry_after = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
        said = f"{_origin(url)} answered {status}"
        if status >= 500 or status in _RETRYABLE:
            raise ProviderError("result_unavailable", said, retryable=True, retry_after=retry_after)
        raise ProviderError("result_unavailable", said)

    def _body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large(f"it announced {int(declared)} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large("it kept coming")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, why: str) -> ProviderError:
        return ProviderError(
            "result_too_large", f"the result is larger than {self.max_bytes} bytes ({why})"
        )


def _parsed(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ProviderError("result_url_forbidden", "the result URL is not a usable URL") from None


def _redirected(url: httpx.URL, location: str) -> httpx.URL:
    try:
        return url.join(location)
    except httpx.InvalidURL:
        raise ProviderError("result_url_forbidden", "a redirect to an unusable URL") from None


def _origin(url: httpx.URL) -> str:
    """Scheme and host only: the path and query of a signed URL are its credentials."""
    return f"{url.scheme}://{url.host}"


def _unavailable(message: str) -> ProviderError:
    return ProviderError("result_unavailable", message, retryable=True)
