"""Where a fal request lives: its endpoint's app, and the URLs fal returned for it.

A fal endpoint id is `owner/alias[/path…]` (`fal-ai/flux/dev`); ids in the `workflows/` and
`comfy/` namespaces have one segment more. Status, result and cancel live under the app
(the id without its sub-path): `{base}/{app}/requests/{request_id}[/status|/cancel]`, but
fal's submit answer names them (`status_url`, `response_url`, `cancel_url`) and those are
what is used.

The handle is kept in the job's `provider_polling_url` as a compact JSON object, e.g.
`{"app":"fal-ai/flux","status_url":"…","response_url":"…","cancel_url":"…"}`: every URL fal
returned, as it returned it. A URL fal left out, or one outside fal's hosts (which is never
sent the key), is rebuilt from the base URL and the app.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal
from urllib.parse import quote

import attrs
import httpx

from genmedia.application.errors import ProviderError

Kind = Literal["status_url", "response_url", "cancel_url"]
KINDS: tuple[Kind, ...] = ("status_url", "response_url", "cancel_url")
_SUFFIX: dict[Kind, str] = {"status_url": "/status", "response_url": "", "cancel_url": "/cancel"}
# Hosts fal's own answers may point at; any other host is never sent the key.
TRUSTED_DOMAINS = ("fal.run", "fal.ai")
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_ENDPOINT = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT}){{1,7}}")
_NAMESPACES = frozenset({"workflows", "comfy"})


def app_of(endpoint_id: str) -> str:
    """The app of an endpoint id (`fal-ai/flux/dev` → `fal-ai/flux`); invalid_input if the
    id is not `owner/alias[/path…]` made of plain names."""
    if not _ENDPOINT.fullmatch(endpoint_id):
        raise ProviderError("invalid_input", f"{endpoint_id!r} is not a fal endpoint id")
    segments = endpoint_id.split("/")
    size = 3 if segments[0] in _NAMESPACES and len(segments) >= 3 else 2
    return "/".join(segments[:size])


@attrs.frozen(kw_only=True)
class Handle:
    """A submitted request's app and the URLs fal returned for it."""

    app: str
    status_url: str | None = None
    response_url: str | None = None
    cancel_url: str | None = None

    @classmethod
    def from_answer(cls, app: str, answer: dict[str, Any]) -> Handle:
        """The handle of a submit answer: each URL fal named, as a string."""
        return cls(app=app, **_urls(answer))

    def encode(self) -> str:
        """The handle as the JSON text persisted in `provider_polling_url`."""
        fields: dict[str, str] = {"app": self.app}
        fields |= {kind: url for kind in KINDS if (url := getattr(self, kind)) is not None}
        return json.dumps(fields, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> Handle:
        """The handle persisted by `encode`; provider_error if it is missing or unreadable."""
        try:
            fields = json.loads(text or "")
        except ValueError:
            fields = None
        if not isinstance(fields, dict) or not isinstance(fields.get("app"), str):
            raise ProviderError("provider_error", "the job keeps no readable fal request handle")
        return cls(app=fields["app"], **_urls(fields))

    def url(self, kind: Kind, request_id: str, base: httpx.URL) -> str:
        """The URL fal returned for `kind`, if it is on fal's hosts; else the one built
        from the base URL, the app and the request id."""
        given = getattr(self, kind)
        if isinstance(given, str) and trusted(given, base):
            return given
        path = f"/{self.app}/requests/{quote(request_id, safe='')}{_SUFFIX[kind]}"
        return str(base).rstrip("/") + path


def _urls(fields: dict[str, Any]) -> dict[str, str]:
    """The URLs among the fields: each kind whose value is a non-empty string."""
    return {kind: url for kind in KINDS if isinstance(url := fields.get(kind), str) and url}


def trusted(url: str, base: httpx.URL) -> bool:
    """Whether the URL is on the base URL's origin, or https on one of fal's domains."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    if (parsed.scheme, parsed.host, parsed.port) == (base.scheme, base.host, base.port):
        return True
    host = parsed.host.lower()
    return parsed.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in TRUSTED_DOMAINS
    )
