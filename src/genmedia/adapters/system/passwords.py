"""Password hashing with scrypt from the standard library."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from genmedia.application.ports import PasswordHasher

N, R, P, LENGTH = 2**14, 8, 1, 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made once: what a login of an unknown user checks."""
    return ScryptPasswordHasher().hash(secrets.token_urlsafe(16))


class ScryptPasswordHasher(PasswordHasher):
    """Salted scrypt hashes in the form `scrypt$n$r$p$salt$hash`."""

    def hash(self, password: str) -> str:
        """A new salted hash of the password."""
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=LENGTH)
        return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"

    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches, compared in constant time."""
        try:
            scheme, n, r, p, salt, digest = hashed.split("$")
        except ValueError:
            return False
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
        return hmac.compare_digest(actual, expected)

    def verify_nothing(self, password: str) -> bool:
        """Spend the time of a `verify` against a dummy hash; always False."""
        self.verify(password, _dummy_hash())
        return False
