"""A prediction's handle: its id and the `urls.get` / `urls.cancel` Replicate returned.

The job keeps the handle as its task id (the prediction id) and its polling URL, which
holds both URLs as a small JSON object: `{"get": "<urls.get>", "cancel": "<urls.cancel>"}`,
with `"kind": "training"` for a training (polled at /v1/trainings/{id}).
A polling URL that is not such an object is taken as the get URL alone. A URL is only sent
the token if it is on the base URL's origin or on https at replicate.com; otherwise, or
when it is missing, the prediction's own path under the base URL is used.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs
import httpx

from genmedia.application.errors import ProviderError

TRUSTED_DOMAINS = ("replicate.com",)
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


@attrs.frozen
class Handle:
    """Where to ask about, and where to cancel, one prediction."""

    prediction_id: str
    get_url: str | None = None
    cancel_url: str | None = None
    training: bool = False

    @classmethod
    def created(cls, answer: Any, *, training: bool = False) -> Handle:
        """The handle of a create answer; submit_outcome_unknown if it names no usable id."""
        prediction_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(prediction_id, str) or not _ID.fullmatch(prediction_id):
            raise ProviderError(
                "submit_outcome_unknown", "Replicate accepted the create but named no prediction id"
            )
        urls = answer.get("urls")
        urls = urls if isinstance(urls, dict) else {}
        return cls(prediction_id, _text(urls.get("get")), _text(urls.get("cancel")), training)

    @classmethod
    def stored(cls, task_id: str, polling_url: str | None) -> Handle:
        """The handle a job kept as its task id and polling URL."""
        if not polling_url:
            return cls(task_id)
        try:
            urls = json.loads(polling_url)
        except ValueError:
            return cls(task_id, polling_url)
        if not isinstance(urls, dict):
            return cls(task_id)
        training = urls.get("kind") == "training"
        return cls(task_id, _text(urls.get("get")), _text(urls.get("cancel")), training)

    def polling_url(self) -> str:
        """Both URLs as the JSON object a job keeps as its polling URL."""
        urls: dict[str, str | None] = {"get": self.get_url, "cancel": self.cancel_url}
        if self.training:
            urls["kind"] = "training"
        return json.dumps(urls, separators=(",", ":"))

    def urls(self, base_url: str) -> tuple[str, str]:
        """The get and cancel URLs to send the token to, from this handle or the base URL."""
        if not _ID.fullmatch(self.prediction_id):
            raise ProviderError("provider_task_not_found", "the job names no Replicate prediction")
        kind = "trainings" if self.training else "predictions"
        own = f"{base_url}/v1/{kind}/{self.prediction_id}"
        get = self.get_url if _trusted(self.get_url, base_url) else None
        cancel = self.cancel_url if _trusted(self.cancel_url, base_url) else None
        return get or own, cancel or own + "/cancel"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _trusted(url: str | None, base_url: str) -> bool:
    """Whether the URL is on the base URL's origin, or https on one of Replicate's domains."""
    if url is None:
        return False
    try:
        parsed, base = httpx.URL(url), httpx.URL(base_url)
    except httpx.InvalidURL:
        return False
    if (parsed.scheme, parsed.host, parsed.port) == (base.scheme, base.host, base.port):
        return True
    host = parsed.host.lower()
    return parsed.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in TRUSTED_DOMAINS
    )
