"""FalProvider: the gateway to fal.ai's queue API."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx

from genmedia.adapters.providers.fal.handle import Handle, app_of
from genmedia.adapters.providers.fal.payload import submit_body
from genmedia.adapters.providers.fal.results import failed, failure_of, finished, is_done
from genmedia.adapters.providers.fal.secret import FalKey
from genmedia.adapters.providers.fal.training import is_training, trained, trainer_of, training_body
from genmedia.adapters.providers.fal.transport import Transport
from genmedia.application.errors import ProviderError
from genmedia.application.ports import (
    Outcome,
    ProviderCall,
    ProviderGateway,
    TrainingCall,
    TrainingGateway,
    Waiting,
)

QUEUE_URL = "https://queue.fal.run"
# What a cancel may answer besides 2xx: the request already finished (400, UNCONFIRMED)
# or fal no longer knows it (404); either way there is nothing left to stop.
_CANCEL_SETTLED = frozenset({400, 404})
# The result of a request COMPLETED with an error is fal's error body, whatever its status
# (a 429 still means "wait").
_ERROR_BODY = frozenset(range(400, 600)) - {429}


class FalProvider(ProviderGateway, TrainingGateway):
    """fal.ai's queue: POST {base}/{endpoint id}, then the status, result and cancel URLs
    fal returned, each with `Authorization: Key …`.

    `call.model` is fal's endpoint id (`fal-ai/flux/dev`); the body is the endpoint's
    input (see `payload`). `submit` answers Waiting with fal's `request_id` and the handle
    (`handle.Handle`, every URL fal returned, as JSON) that the caller persists before
    waiting; `poll` answers Waiting while the request is queued or running, then Finished
    with the result's image URLs, which `fetch` downloads through the injected
    `fetch_result` (never with the API client, which carries the key). Every failure is a
    ProviderError, and the key never appears in reprs, logs or error messages.

    A submit fal cannot have queued (429, an ingress 502-504 without `x-fal-request-id`,
    a connect failure) is retryable; one whose outcome is unknown (another 5xx, a read
    timeout) is `submit_outcome_unknown`, never resent: fal has no idempotency key.
    A call that names a webhook URL asks fal to post the outcome there (`?fal_webhook=`);
    fal signs its deliveries with keys it publishes, so no secret is needed to hear them.

    `submit_training` queues a LoRA training at its trainer endpoint (`training`), polled,
    cancelled and fetched like any request; it finishes with the LoRA and config URLs.
    """

    name = "fal"
    accepts_webhooks = True
    archived_images = True

    def __init__(
        self,
        *,
        api_key: str,
        fetch_result: Callable[[str], bytes],
        base_url: str = QUEUE_URL,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        poll_after: float = 1.0,
    ) -> None:
        self._key = FalKey(api_key)
        self._fetch_result = fetch_result
        self._base_url = base_url.rstrip("/")
        self._base = httpx.URL(self._base_url)
        self._poll_after = poll_after
        self._transport = Transport(key=self._key, timeout=timeout, client=client)

    def __repr__(self) -> str:
        return f"FalProvider(base_url={self._base_url!r})"

    def submit(self, call: ProviderCall) -> Outcome:
        """Queue a request; Waiting with fal's request id and the request's handle."""
        return self._queue(call.model, submit_body(call), call.webhook_url)

    def submit_training(self, call: TrainingCall) -> Outcome:
        """Queue a training at its trainer; Waiting with its request id and handle."""
        trainer = trainer_of(call)
        return self._queue(trainer, training_body(call), call.webhook_url)

    def _queue(self, endpoint: str, body: dict[str, Any], webhook_url: str | None) -> Outcome:
        app = app_of(endpoint)
        url = f"{self._base_url}/{endpoint}"
        params = {"fal_webhook": webhook_url} if webhook_url else None
        answer = self._transport.api("POST", url, stage="submit", json=body, params=params).body
        request_id = answer.get("request_id") if isinstance(answer, dict) else None
        if not isinstance(request_id, str) or not request_id:
            raise ProviderError(
                "submit_outcome_unknown", "fal accepted the submit but named no request_id"
            )
        handle = Handle.from_answer(app, answer)
        return Waiting(task_id=request_id, polling_url=handle.encode(), poll_after=self._poll_after)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Ask the request's status; once COMPLETED, read its result."""
        handle = Handle.decode(polling_url)
        status_url = handle.url("status_url", task_id, self._base)
        status = self._transport.api("GET", status_url, stage="status", params={"logs": "0"})
        if not is_done(status.body, self._key):
            return Waiting(task_id=task_id, polling_url=polling_url, poll_after=self._poll_after)
        result_url = handle.url("response_url", task_id, self._base)
        if failed(status.body):
            answer = self._transport.api("GET", result_url, stage="result", accept=_ERROR_BODY)
            raise failure_of(status.body, answer, self._key)
        result = self._transport.api("GET", result_url, stage="result")
        if is_training(result.body):
            return trained(task_id, result)
        return finished(task_id, status.body, result)

    def fetch(self, url: str) -> bytes:
        """Download a result file through the injected downloader, which has no key."""
        return self._fetch_result(url)

    def cancel(self, task_id: str, polling_url: str | None) -> None:
        """Ask fal to stop the request (a running one may still finish and be billed)."""
        url = Handle.decode(polling_url).url("cancel_url", task_id, self._base)
        self._transport.api("PUT", url, stage="cancel", accept=_CANCEL_SETTLED)

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
