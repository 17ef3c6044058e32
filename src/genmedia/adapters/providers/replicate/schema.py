"""The input schema Replicate publishes for a model: its version's `openapi_schema` (CAT-5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from genmedia.adapters.providers.openapi import input_params, resolved
from genmedia.adapters.providers.replicate.payload import target_for
from genmedia.adapters.providers.replicate.secret import ApiKey
from genmedia.adapters.providers.replicate.transport import Transport
from genmedia.application.errors import ProviderError
from genmedia.application.ports import ModelSchemaSource

# What `payload.prediction_input` fills from the request itself.
OWNED = frozenset({"prompt", "seed", "negative_prompt"})
# One job makes one output: a batch is several jobs, each paid for.
FIXED: Mapping[str, Any] = {"num_outputs": 1}


def schema_path(model: str) -> str:
    """Where the schema of `owner/name` (its latest version) or `owner/name:<version id>` is."""
    target_for(model)  # invalid_input unless it names a model or a version
    name, _, version = model.partition(":")
    if "/" not in name:
        raise ProviderError("invalid_input", f"{model!r}: sync needs owner/name[:version]")
    return f"/v1/models/{name}/versions/{version}" if version else f"/v1/models/{name}"


def is_file(schema: Mapping[str, Any]) -> bool:
    """Whether an input is a file (a URI, or a list of them): it comes from the images."""
    items = schema.get("items")
    return schema.get("format") == "uri" or (isinstance(items, dict) and is_file(items))


class ReplicateSchemaSource(ModelSchemaSource):
    """Reads `GET /v1/models/{owner}/{name}` (the `latest_version`) or, for a model pinned
    to a version, `GET /v1/models/{owner}/{name}/versions/{id}`, with `Authorization:
    Bearer`. The input is `components.schemas.Input` of the version's `openapi_schema`, its
    `$ref`s (Cog's enums, such as `#/components/schemas/aspect_ratio`) resolved."""

    provider = "replicate"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.replicate.com",
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._transport = Transport(api_key=ApiKey(api_key), timeout=timeout, client=client)

    def __repr__(self) -> str:
        return f"ReplicateSchemaSource(base_url={self._base_url!r})"

    def input_schema(self, model: str) -> dict[str, Any]:
        """The input of the model's version, as params (see `ModelSchemaSource`)."""
        url = self._base_url + schema_path(model)
        answer = self._transport.api("GET", url, stage="schema")
        version = answer if ":" in model else _field(answer, "latest_version")
        document = _document(_field(version, "openapi_schema"))
        found = _field(_field(_field(document, "components"), "schemas"), "Input")
        if not isinstance(found, dict):
            raise ProviderError("provider_error", f"Replicate publishes no input schema of {model}")
        return input_params(resolved(found, document), owned=OWNED, fixed=FIXED, is_file=is_file)

    def close(self) -> None:
        """Close the connection pool, unless the client was passed in."""
        self._transport.close()


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _document(value: Any) -> Any:
    """The OpenAPI document, which some answers carry as a JSON string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None
