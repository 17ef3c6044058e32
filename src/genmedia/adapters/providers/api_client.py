"""The HTTP client of a provider's API calls: one pool per provider, made on first use."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx

from genmedia.application.errors import ProviderError
from genmedia.application.ports.work_deadline import seconds_left

# Every connection may stay open: a worker's threads poll in turns, and a connection
# closed for being one too many is opened again a moment later.
LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=32)
# A request's body goes out at once after its headers (a submit is two writes): without
# this, Nagle's algorithm holds it until the server acknowledges the headers.
NO_DELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


class ApiClient:
    """A provider's httpx.Client, created on first use and safe to share between threads.

    It follows no redirect and has no default credentials: a transport puts the key on each
    API request itself, and httpx would pass a custom header on to another host. A client
    passed in is used as it is and left open by `close`.
    """

    def __init__(
        self, *, user_agent: str, timeout: httpx.Timeout, client: httpx.Client | None = None
    ) -> None:
        self._user_agent = user_agent
        self._timeout = timeout
        self._client = client
        self._owns_client = client is None
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        """The shared client, created on first use."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(
                        timeout=self._timeout,
                        transport=httpx.HTTPTransport(limits=LIMITS, socket_options=NO_DELAY),
                        follow_redirects=False,
                        headers={"User-Agent": self._user_agent},
                    )
                client = self._client
        return client

    def request(
        self,
        method: str,
        url: str,
        *,
        provider: str,
        transport_error: Callable[[httpx.HTTPError], ProviderError],
        **options: Any,
    ) -> httpx.Response:
        """Send one API request, following no redirect, ended by the job's deadline; the
        answer, whatever its status, or a ProviderError if none came (`transport_error` says
        which; `deadline_exceeded` once the deadline has passed)."""
        options["timeout"] = bounded(options.get("timeout", self._timeout), provider)
        try:
            return self.get().request(method, url, follow_redirects=False, **options)
        except httpx.HTTPError as err:
            failure = transport_error(err)
        except httpx.InvalidURL:
            failure = ProviderError("provider_error", f"unusable {provider} URL")
        # Raised outside the except blocks so the httpx error, whose request holds the
        # key's header, is not kept as the ProviderError's context.
        raise failure

    def close(self) -> None:
        """Close the pool if it was created here; a client passed in stays open."""
        if not self._owns_client:
            return
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def bounded(timeout: httpx.Timeout, provider: str) -> httpx.Timeout:
    """The timeout, each phase (connect, write, read, pool wait) shortened to what is left
    before the job's deadline (`ports.work_deadline`); `deadline_exceeded` once none is."""
    left = seconds_left()
    if left is None:
        return timeout
    if left <= 0:
        message = f"the job's deadline passed before its call to {provider}"
        raise ProviderError("deadline_exceeded", message)

    def cap(phase: float | None) -> float:
        return left if phase is None else min(phase, left)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )


def json_of(response: httpx.Response, bad_answer: Callable[[], ProviderError]) -> Any:
    """The answer's JSON body; `bad_answer()` if it has none."""
    try:
        return response.json()
    except ValueError:
        failure = bad_answer()
    raise failure
