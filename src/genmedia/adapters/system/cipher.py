"""Encrypting setting values with Fernet (AES-128-CBC and HMAC-SHA256, from `cryptography`).

Each Fernet key is derived with HKDF-SHA256 from a server secret key (GENMEDIA_SECRET_KEY),
so the encryption key is never the key that signs URLs and cursors. The current key encrypts;
the old ones (GENMEDIA_SECRET_KEY_OLD) still decrypt until `reencrypt` has moved every value
to the current key.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from genmedia.application.errors import UndecryptableSecret
from genmedia.application.ports import SecretCipher

_PURPOSE = b"genmedia settings encryption v1"


def derived_key(secret_key: bytes) -> bytes:
    """The Fernet key (url-safe base64 of 32 bytes) that `secret_key` stands for."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key))


def old_keys(text: str | None) -> list[bytes]:
    """The old secret keys written as "key1,key2" (empty: none)."""
    return [part.strip().encode() for part in (text or "").split(",") if part.strip()]


class FernetCipher(SecretCipher):
    """Encrypts with the key derived from `secret_key`; decrypts with it or an `old` one."""

    def __init__(self, secret_key: bytes, old: Sequence[bytes] = ()) -> None:
        if not secret_key:
            raise ValueError("the secret key is empty")
        keys = [secret_key, *(key for key in old if key and key != secret_key)]
        self._fernet = MultiFernet([Fernet(derived_key(key)) for key in keys])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<keys hidden>)"

    def encrypt(self, text: str) -> str:
        """A Fernet token of `text` made with the current key."""
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of a token of any configured key; UndecryptableSecret otherwise."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret() from None

    def reencrypt(self, token: str) -> str:
        """The same text as a token of the current key; UndecryptableSecret as `decrypt`."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise UndecryptableSecret() from None
