"""The input schema fal publishes for an endpoint: its per-endpoint OpenAPI document (CAT-5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from genmedia.adapters.providers.api_client import ApiClient, json_of
from genmedia.adapters.providers.fal.handle import app_of
from genmedia.adapters.providers.openapi import input_params, resolved
from genmedia.application.errors import ProviderError
from genmedia.application.ports import ModelSchemaSource

SCHEMA_URL = "https://fal.ai/api/openapi/queue/openapi.json"
# What `payload.submit_body` fills from the request itself.
OWNED = frozenset({"prompt", "seed", "negative_prompt", "image_url", "image_urls", "mask_url"})
# One job makes one output (a batch is several jobs, each paid for), and its images are
# stored by fal and downloaded, never inlined in the answer.
FIXED: Mapping[str, Any] = {"num_images": 1, "sync_mode": False}
_USER_AGENT = "genmedia-fal/0.1"


class FalSchemaSource(ModelSchemaSource):
    """Reads `GET {url}?endpoint_id={endpoint id}`, fal's OpenAPI document of the endpoint's
    queue, whose `POST /{endpoint id}` takes the input as its JSON body (a `$ref` such as
    `#/components/schemas/FluxDevInput`, resolved). The document is public, so no key is
    sent; `url` is a setting so that tests can serve the document on loopback."""

    provider = "fal"

    def __init__(
        self, *, url: str = SCHEMA_URL, timeout: float = 30.0, client: httpx.Client | None = None
    ) -> None:
        self._url = url
        limit = httpx.Timeout(timeout)
        self._http = ApiClient(user_agent=_USER_AGENT, timeout=limit, client=client)

    def __repr__(self) -> str:
        return f"FalSchemaSource(url={self._url!r})"

    def input_schema(self, model: str) -> dict[str, Any]:
        """The endpoint's input, as params (see `ModelSchemaSource`)."""
        app_of(model)  # invalid_input unless it is an endpoint id
        response = self._http.request(
            "GET",
            self._url,
            provider="fal",
            transport_error=lambda err: _unreachable(model, err),
            params={"endpoint_id": model},
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            raise _refused(model, response.status_code)
        not_json = ProviderError("provider_error", f"fal's schema of {model} is not JSON")
        document = json_of(response, lambda: not_json)
        found = submit_input(document, model)
        if found is None:
            raise ProviderError("provider_error", f"fal's document for {model} has no input")
        return input_params(resolved(found, document), owned=OWNED, fixed=FIXED)

    def close(self) -> None:
        """Close the connection pool, unless the client was passed in."""
        self._http.close()


def submit_input(document: Any, endpoint_id: str) -> Any:
    """The JSON body schema of the document's `POST /{endpoint id}` (or of its one POST)."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return None
    posts = [item.get("post") for item in paths.values() if isinstance(item, dict)]
    posts = [post for post in posts if isinstance(post, dict)]
    named = paths.get(f"/{endpoint_id}")
    post = named.get("post") if isinstance(named, dict) else posts[0] if len(posts) == 1 else None
    for key in ("requestBody", "content", "application/json", "schema"):
        post = post.get(key) if isinstance(post, dict) else None
    return post


def _unreachable(model: str, err: httpx.HTTPError) -> ProviderError:
    said = type(err).__name__
    return ProviderError(
        "provider_unavailable", f"could not read fal's schema of {model} ({said})", retryable=True
    )


def _refused(model: str, status: int) -> ProviderError:
    said = f"fal answered {status} to the schema of {model}"
    if status == 404:
        return ProviderError("provider_error", f"{said}: no such endpoint")
    if status == 429 or status >= 500:
        return ProviderError("provider_unavailable", said, retryable=True)
    return ProviderError("provider_error", said)
