"""Signed local URLs: links to objects of the local media directory that the app serves
itself, each valid until the expiry it carries.

A link is `{base_url}/v1/files/{key}?expires={unix time}&signature={HMAC-SHA256}`, the
signature covering the key and the expiry, so neither can be changed. The secret is the
server's signing key (GENMEDIA_SECRET_KEY, or the one kept under the home directory); the
signed text names its purpose, so a link's signature is good for nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import quote

from genmedia.application.errors import LinkExpired, LinkForged
from genmedia.domain.errors import InvalidValue

FILES_PATH = "/v1/files"
PURPOSE = "genmedia media link"
MIN_SECRET_BYTES = 16
MAX_EXPIRY = 7 * 24 * 3600
_EXPIRES_DIGITS = 12


class UrlSigner:
    """Makes and checks signed links to stored objects."""

    def __init__(
        self, secret: bytes, *, base_url: str = "", now: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise InvalidValue("secret_key", f"must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self._now = now

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def signature(self, key: str, expires: int) -> str:
        """The signature of a link to `key` that expires at `expires` (unix seconds)."""
        text = f"{PURPOSE}\n{key}\n{expires}".encode()
        digest = hmac.new(self._secret, text, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def url(self, key: str, expires_in: int) -> str:
        """A link that reads `key` for `expires_in` seconds (1 s to 7 days)."""
        if isinstance(expires_in, bool) or not 1 <= expires_in <= MAX_EXPIRY:
            raise InvalidValue("expires_in", f"must be between 1 and {MAX_EXPIRY} seconds")
        expires = int(self._now()) + expires_in
        query = f"expires={expires}&signature={self.signature(key, expires)}"
        return f"{self.base_url}{FILES_PATH}/{quote(key)}?{query}"

    def check(self, key: str, expires: str, signature: str) -> None:
        """Accept a link only as signed and before it expires: LinkForged if the signature
        does not match the key and expiry, LinkExpired once the expiry has passed."""
        if not self._signed(key, expires, signature):
            raise LinkForged("the link's signature does not match")
        if self._now() >= int(expires):
            raise LinkExpired("the link has expired")

    def _signed(self, key: str, expires: str, signature: str) -> bool:
        if not (expires.isascii() and expires.isdigit() and len(expires) <= _EXPIRES_DIGITS):
            return False
        expected = self.signature(key, int(expires)).encode()
        return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
