"""BflProvider: the gateway to Black Forest Labs' asynchronous FLUX API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

import httpx

from genmedia.adapters.providers.bfl.payload import model_path, submit_body
from genmedia.adapters.providers.bfl.results import Charge, Charges, outcome_of
from genmedia.adapters.providers.bfl.secret import ApiKey
from genmedia.adapters.providers.bfl.transport import Transport
from genmedia.application.errors import ProviderError
from genmedia.application.ports import Outcome, ProviderCall, ProviderGateway, Waiting

log = logging.getLogger(__name__)

# Hosts BFL's own answers may send polls to (regional clusters such as api.us1.bfl.ai);
# a polling URL anywhere else is not sent the key, and get_result on base_url is asked instead.
TRUSTED_POLL_DOMAINS = ("bfl.ai", "bfl.ml")


class BflProvider(ProviderGateway):
    """Black Forest Labs: POST /v1/<model>, poll the returned polling_url, download the sample.

    `call.model` is BFL's endpoint name ("flux-dev", "flux-pro-1.1", "flux-kontext-pro", …);
    the body carries the prompt, the seed, the params that endpoint takes, and the input
    images as base64 (see `payload`). `submit` answers Waiting with BFL's task id and polling
    URL, which the caller must persist before waiting; `poll` answers Waiting until BFL says
    Ready, then Finished with the signed sample URL, which `fetch` must download at once
    (it expires after about ten minutes) with `fetch_result`, the shared result downloader
    (`providers.delivery.Delivery.fetch`), never with the API client. Every failure is a
    ProviderError; the API key never appears in reprs, logs or error messages.

    Resubmitting is the caller's decision. A submit that BFL refused (429, connect
    failures) may be retried. A submit whose outcome is unknown, such as a read timeout
    after the request went out, raises `submit_outcome_unknown`, not retryable: the task
    may exist and be billed, and BFL has no idempotency key to deduplicate a second one.
    BFL has no cancel API, so `cancel` does nothing.
    """

    name = "bfl"

    def __init__(
        self,
        *,
        api_key: str,
        fetch_result: Callable[[str], bytes],
        base_url: str = "https://api.bfl.ai",
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        poll_after: float = 1.0,
        webhook_secret: str | None = None,
    ) -> None:
        self._key = ApiKey(api_key)
        self._webhook_secret = webhook_secret
        self.accepts_webhooks = bool(webhook_secret)
        self._base_url = base_url.rstrip("/")
        self._base = httpx.URL(self._base_url)
        self._poll_after = poll_after
        self._transport = Transport(api_key=self._key, timeout=timeout, client=client)
        self._charges = Charges()
        self._fetch_result = fetch_result

    def __repr__(self) -> str:
        return f"BflProvider(base_url={self._base_url!r})"

    def submit(self, call: ProviderCall) -> Outcome:
        """Start a task; Waiting with BFL's task id and polling URL."""
        url = self._base_url + model_path(call.model)
        body = submit_body(call)
        if call.webhook_url and self._webhook_secret:
            body |= {"webhook_url": call.webhook_url, "webhook_secret": self._webhook_secret}
        answer = self._transport.api("POST", url, stage="submit", json=body)
        task_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise ProviderError(
                "submit_outcome_unknown", "BFL accepted the submit but named no task id"
            )
        charge = Charge.from_submit(answer)
        self._charges.remember(task_id, charge)
        polling_url = answer.get("polling_url")
        return Waiting(
            task_id=task_id,
            polling_url=polling_url if isinstance(polling_url, str) and polling_url else None,
            poll_after=self._poll_after,
            provider_cost=charge.cost(),
        )

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Ask get_result (at the task's polling URL if it is BFL's) how the task is doing."""
        url, params = self._result_request(task_id, polling_url)
        answer = self._transport.api("GET", url, stage="poll", params=params)
        return outcome_of(
            task_id,
            answer,
            poll_after=self._poll_after,
            polling_url=polling_url,
            charges=self._charges,
        )

    def fetch(self, url: str) -> bytes:
        """Download a sample from its signed URL through `fetch_result`, which never has the key."""
        return self._fetch_result(url)

    def close(self) -> None:
        """Close the connection pool, unless the client was passed in."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _result_request(
        self, task_id: str, polling_url: str | None
    ) -> tuple[str, dict[str, str] | None]:
        if polling_url and self._trusted(polling_url):
            return polling_url, None
        if polling_url:
            log.warning("bfl task %s: polling URL outside BFL ignored", task_id)
        return f"{self._base_url}/v1/get_result", {"id": task_id}

    def _trusted(self, url: str) -> bool:
        """Whether the URL is on the base URL's origin, or https on one of BFL's domains."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return False
        base = self._base
        if (parsed.scheme, parsed.host, parsed.port) == (base.scheme, base.host, base.port):
            return True
        host = parsed.host.lower()
        return parsed.scheme == "https" and any(
            host == domain or host.endswith("." + domain) for domain in TRUSTED_POLL_DOMAINS
        )
