"""ReplicateProvider: the gateway to Replicate's predictions API."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

import httpx

from genmedia.adapters.providers.replicate.handle import Handle
from genmedia.adapters.providers.replicate.payload import cancel_after, create_body, target_for
from genmedia.adapters.providers.replicate.results import outcome_of
from genmedia.adapters.providers.replicate.secret import ApiKey
from genmedia.adapters.providers.replicate.training import (
    destination_of,
    model_body,
    trained,
    training_body,
    trainings_path,
)
from genmedia.adapters.providers.replicate.transport import Transport
from genmedia.application.ports import (
    Outcome,
    ProviderCall,
    ProviderGateway,
    TrainingCall,
    TrainingGateway,
    Waiting,
)
from genmedia.application.ports.work_deadline import seconds_left


class ReplicateProvider(ProviderGateway, TrainingGateway):
    """Replicate: create a prediction, poll its `urls.get`, cancel at its `urls.cancel`.

    `call.model` is `owner/name` (an official model) or `owner/name:<version id>` (see
    `payload`). `submit` creates the prediction with `Cancel-After` set to `cancel_after`
    seconds or the time left before the job's deadline if less, Replicate's own deadline
    for it, and answers Waiting with the prediction id and
    both URLs (see `handle`), which the caller must persist before waiting; no thread waits
    on `Prefer: wait`. `poll` answers Waiting while it starts or runs, then Finished with
    its output URLs and `metrics.predict_time` (seconds) as the provider cost. Outputs
    are downloaded by `fetch_result`, which must not carry the token; Replicate deletes
    them after an hour. Every failure is a ProviderError; the token never appears in
    reprs, logs or error messages.

    A create Replicate refused (429, connect failures) may be tried again. A create whose
    outcome is unknown (a 5xx, a read timeout) raises `submit_outcome_unknown`, not
    retryable: the prediction may exist and be billed, and Replicate has no idempotency key.

    `submit_training` ensures the destination model (`training_destination`, `owner/name`),
    then creates a training of the trainer version the call names (`training`); it is
    polled and cancelled like a prediction, at /v1/trainings/{id}.
    """

    name = "replicate"
    archived_images = True

    def __init__(
        self,
        *,
        api_key: str,
        fetch_result: Callable[[str], bytes],
        base_url: str = "https://api.replicate.com",
        timeout: float = 30.0,
        poll_after: float = 1.0,
        cancel_after: float | None = 1800.0,
        accepts_webhooks: bool = False,
        client: httpx.Client | None = None,
        training_destination: str | None = None,
        destination_hardware: str = "cpu",
    ) -> None:
        self._key = ApiKey(api_key)
        self._fetch_result = fetch_result
        self._base_url = base_url.rstrip("/")
        self._poll_after = poll_after
        self._cancel_after = cancel_after
        self.accepts_webhooks = accepts_webhooks
        self._destination = training_destination
        self._hardware = destination_hardware
        self._transport = Transport(api_key=self._key, timeout=timeout, client=client)

    def __repr__(self) -> str:
        return f"ReplicateProvider(base_url={self._base_url!r})"

    def submit(self, call: ProviderCall) -> Outcome:
        """Create the prediction; Waiting with its id and URLs."""
        target = target_for(call.model)
        body = create_body(call, target, call.webhook_url if self.accepts_webhooks else None)
        headers = {"Cancel-After": cancel_after(limit)} if (limit := self._limit()) else {}
        url = self._base_url + target.path
        answer = self._transport.api("POST", url, stage="submit", json=body, headers=headers)
        handle = Handle.created(answer)
        return self._waiting(handle.prediction_id, handle.polling_url())

    def submit_training(self, call: TrainingCall) -> Outcome:
        """Ensure the destination model, then create the training; Waiting with its id."""
        owner, name = destination_of(self._destination)
        path = trainings_path(call)
        webhook = call.webhook_url if self.accepts_webhooks else None
        body = training_body(call, f"{owner}/{name}", webhook)
        created = model_body(owner, name, self._hardware)
        url = self._base_url + "/v1/models"
        self._transport.api("POST", url, stage="model", json=created, accept=frozenset({409}))
        answer = self._transport.api("POST", self._base_url + path, stage="submit", json=body)
        handle = Handle.created(answer, training=True)
        return self._waiting(handle.prediction_id, handle.polling_url())

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        """Get the prediction (or training) at its `urls.get` and say how it is doing."""
        handle = Handle.stored(task_id, polling_url)
        get_url, _ = handle.urls(self._base_url)
        answer = self._transport.api("GET", get_url, stage="poll")
        finish = trained if handle.training else None
        return outcome_of(answer, self._waiting(task_id, polling_url), finish)

    def cancel(self, task_id: str, polling_url: str | None) -> None:
        """Ask Replicate to cancel the prediction at its `urls.cancel`."""
        _, cancel_url = Handle.stored(task_id, polling_url).urls(self._base_url)
        self._transport.api("POST", cancel_url, stage="cancel")

    def fetch(self, url: str) -> bytes:
        """Download an output through the downloader, which never carries the token."""
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

    def _limit(self) -> float | None:
        """Seconds Replicate may run the prediction: `cancel_after`, or less if the job's
        deadline comes sooner (None: no limit)."""
        left = seconds_left()
        if left is None or self._cancel_after is None:
            return self._cancel_after if left is None else left
        return min(self._cancel_after, left)

    def _waiting(self, task_id: str, polling_url: str | None) -> Waiting:
        return Waiting(task_id=task_id, polling_url=polling_url, poll_after=self._poll_after)
