"""The Fernet cipher of settings: keys derived from the secret key, old keys still decrypt."""

from __future__ import annotations

import pytest

from genmedia.adapters.system.cipher import FernetCipher, derived_key, old_keys
from genmedia.application.errors import UndecryptableSecret


def test_a_value_encrypted_with_the_current_key_decrypts_and_is_not_in_its_token() -> None:
    cipher = FernetCipher(b"current-secret")
    token = cipher.encrypt("sk-live-42")
    assert "sk-live-42" not in token
    assert cipher.decrypt(token) == "sk-live-42"


def test_the_encryption_key_is_derived_and_differs_from_the_signing_key() -> None:
    assert derived_key(b"current-secret") != derived_key(b"other-secret")
    assert b"current-secret" not in derived_key(b"current-secret")


def test_an_old_key_still_decrypts_and_reencrypt_moves_the_value_to_the_current_key() -> None:
    token = FernetCipher(b"old-secret").encrypt("hush")
    rotated = FernetCipher(b"new-secret", old=[b"old-secret"])

    moved = rotated.reencrypt(token)
    assert rotated.decrypt(token) == "hush"
    assert FernetCipher(b"new-secret").decrypt(moved) == "hush"
    with pytest.raises(UndecryptableSecret):
        FernetCipher(b"new-secret").decrypt(token)


@pytest.mark.parametrize("token", ["garbage", "gAAAAAB" + "A" * 80, "é"])
def test_a_token_that_no_key_made_is_refused(token: str) -> None:
    with pytest.raises(UndecryptableSecret):
        FernetCipher(b"k").decrypt(token)


def test_an_altered_token_is_refused() -> None:
    token = FernetCipher(b"k").encrypt("hush")
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(UndecryptableSecret):
        FernetCipher(b"k").decrypt(altered)


def test_old_keys_are_read_from_a_comma_separated_list() -> None:
    assert old_keys(" a, b ,,") == [b"a", b"b"]
    assert old_keys(None) == old_keys("") == []


def test_the_keys_are_not_in_the_repr() -> None:
    assert "s3cr3t" not in repr(FernetCipher(b"s3cr3t", old=[b"older-s3cr3t"]))
