"""Settings use cases on fakes: encrypted values sealed before they are stored, shown as ***,
opened only for the code that needs them, and re-encrypted with the current key."""

from __future__ import annotations

import pytest

from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.errors import UndecryptableSecret
from genmedia.application.settings.commands import DefineSetting, PutSetting
from genmedia.application.settings.secrets import rotate_settings, secret_setting, setting_value
from genmedia.application.settings.values import (
    create_setting,
    delete_setting,
    get_setting,
    list_settings,
    put_setting,
    revise_setting,
)
from genmedia.domain.errors import AlreadyExists, InvalidValue, NotFound
from genmedia.domain.settings import MASK
from tests.fakes import FakeCipher, FakeClock, FakeHasher, FakeUnitOfWork

SECRET = "sk-live-0123456789"
CLOCK = FakeClock()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def _stored_values(uow: FakeUnitOfWork) -> list[str | None]:
    return [s.value for s in uow.db.settings.values()]


def test_an_encrypted_setting_is_stored_sealed_and_read_back_by_the_code_that_needs_it(
    uow: FakeUnitOfWork,
) -> None:
    cipher = FakeCipher()
    command = DefineSetting(key="bfl_api_key", value=SECRET, is_encrypted=True)
    created = create_setting(command, clock=CLOCK, uow=uow, cipher=cipher)

    assert created.shown_value == MASK
    assert SECRET not in _stored_values(uow)
    assert get_setting("bfl_api_key", uow=uow).shown()["value"] == MASK
    assert [s.shown_value for s in list_settings(uow=uow).items] == [MASK]
    assert secret_setting("bfl_api_key", uow=uow, cipher=cipher) == SECRET


def test_a_plain_setting_is_read_as_its_type_and_a_missing_one_as_the_default(
    uow: FakeUnitOfWork,
) -> None:
    cipher = FakeCipher()
    create_setting(
        DefineSetting(key="vnd_per_credit", value="1000", type="int"),
        clock=CLOCK,
        uow=uow,
        cipher=cipher,
    )
    assert setting_value("vnd_per_credit", uow=uow, cipher=cipher) == 1000
    assert setting_value("missing", 7, uow=uow, cipher=cipher) == 7
    assert secret_setting("missing", uow=uow, cipher=cipher) is None


def test_a_second_setting_with_the_same_key_is_refused(uow: FakeUnitOfWork) -> None:
    create_setting(DefineSetting(key="k", value="a"), clock=CLOCK, uow=uow, cipher=FakeCipher())
    with pytest.raises(AlreadyExists):
        create_setting(DefineSetting(key="k", value="b"), clock=CLOCK, uow=uow, cipher=FakeCipher())


def test_a_revision_without_a_value_keeps_the_secret_sealed(uow: FakeUnitOfWork) -> None:
    cipher = FakeCipher()
    create_setting(
        DefineSetting(key="fal_api_key", value=SECRET, is_encrypted=True),
        clock=CLOCK,
        uow=uow,
        cipher=cipher,
    )
    revised = revise_setting(
        "fal_api_key", {"label": "fal.ai key"}, clock=CLOCK, uow=uow, cipher=cipher
    )

    assert (revised.label, revised.shown_value) == ("fal.ai key", MASK)
    assert SECRET not in _stored_values(uow)
    assert secret_setting("fal_api_key", uow=uow, cipher=cipher) == SECRET


def test_turning_encryption_on_seals_the_current_value(uow: FakeUnitOfWork) -> None:
    cipher = FakeCipher()
    create_setting(DefineSetting(key="motto", value="hush"), clock=CLOCK, uow=uow, cipher=cipher)
    revise_setting("motto", {"is_encrypted": True}, clock=CLOCK, uow=uow, cipher=cipher)
    assert "hush" not in _stored_values(uow)
    assert secret_setting("motto", uow=uow, cipher=cipher) == "hush"


def test_a_bad_revision_names_the_field_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    cipher = FakeCipher()
    create_setting(
        DefineSetting(key="rate", value=5, type="int"), clock=CLOCK, uow=uow, cipher=cipher
    )
    with pytest.raises(InvalidValue) as raised:
        revise_setting("rate", {"value": "five"}, clock=CLOCK, uow=uow, cipher=cipher)
    assert raised.value.field == "value"
    assert get_setting("rate", uow=uow).typed_value == 5
    with pytest.raises(NotFound):
        revise_setting("absent", {"value": "1"}, clock=CLOCK, uow=uow, cipher=cipher)


def test_put_creates_then_changes_and_keeps_a_credential_encrypted(uow: FakeUnitOfWork) -> None:
    cipher = FakeCipher()
    first = put_setting(
        PutSetting(key="openrouter_api_key", value="one"), clock=CLOCK, uow=uow, cipher=cipher
    )
    second = put_setting(
        PutSetting(key="openrouter_api_key", value="two"), clock=CLOCK, uow=uow, cipher=cipher
    )

    assert first.id == second.id
    assert second.is_encrypted
    assert secret_setting("openrouter_api_key", uow=uow, cipher=cipher) == "two"
    assert "two" not in _stored_values(uow)


def test_a_deleted_setting_is_gone(uow: FakeUnitOfWork) -> None:
    create_setting(DefineSetting(key="k", value="v"), clock=CLOCK, uow=uow, cipher=FakeCipher())
    assert delete_setting("k", clock=CLOCK, uow=uow).key == "k"
    with pytest.raises(NotFound):
        get_setting("k", uow=uow)
    with pytest.raises(NotFound):
        delete_setting("k", clock=CLOCK, uow=uow)


def test_after_a_key_change_old_values_still_decrypt_and_rotate_moves_them_to_the_new_key(
    uow: FakeUnitOfWork,
) -> None:
    old = FakeCipher("k1")
    create_setting(
        DefineSetting(key="bfl_api_key", value=SECRET, is_encrypted=True),
        clock=CLOCK,
        uow=uow,
        cipher=old,
    )
    create_setting(DefineSetting(key="plain", value="p"), clock=CLOCK, uow=uow, cipher=old)
    rotated = FakeCipher("k2", old=("k1",))

    assert secret_setting("bfl_api_key", uow=uow, cipher=rotated) == SECRET
    assert rotate_settings(clock=CLOCK, uow=uow, cipher=rotated) == 1
    assert secret_setting("bfl_api_key", uow=uow, cipher=FakeCipher("k2")) == SECRET
    with pytest.raises(UndecryptableSecret):
        secret_setting("bfl_api_key", uow=uow, cipher=old)


def test_rotate_names_a_value_no_key_decrypts_and_changes_nothing(uow: FakeUnitOfWork) -> None:
    create_setting(
        DefineSetting(key="a_secret", value="x", is_encrypted=True),
        clock=CLOCK,
        uow=uow,
        cipher=FakeCipher("lost"),
    )
    before = _stored_values(uow)
    with pytest.raises(UndecryptableSecret) as raised:
        rotate_settings(clock=CLOCK, uow=uow, cipher=FakeCipher("k2", old=("k1",)))
    assert raised.value.key == "a_secret"
    assert _stored_values(uow) == before


def test_every_write_is_audited_with_an_encrypted_value_masked(uow: FakeUnitOfWork) -> None:
    cipher = FakeCipher()
    create_setting(
        DefineSetting(key="bfl_api_key", value=SECRET, is_encrypted=True),
        clock=CLOCK,
        uow=uow,
        cipher=cipher,
        actor_id=3,
    )
    revise_setting(
        "bfl_api_key", {"value": "sk-two"}, clock=CLOCK, uow=uow, cipher=cipher, actor_id=3
    )
    rotate_settings(clock=CLOCK, uow=uow, cipher=FakeCipher("k2", old=("k1",)))
    delete_setting("bfl_api_key", clock=CLOCK, uow=uow, actor_id=3)

    entries = uow.db.audit
    assert [(e.action, e.entity, e.entity_id, e.actor_id) for e in entries] == [
        ("create", "setting", "bfl_api_key", 3),
        ("update", "setting", "bfl_api_key", 3),
        ("rotate", "setting", "bfl_api_key", None),
        ("delete", "setting", "bfl_api_key", 3),
    ]
    assert entries[1].before is not None
    assert entries[1].before["value"] == MASK
    assert SECRET not in repr(entries)
    assert "sk-two" not in repr(entries)


def test_the_seed_adds_the_default_settings_once_and_keeps_an_admin_s_change(
    uow: FakeUnitOfWork,
) -> None:
    seed_catalog(uow=uow, hasher=FakeHasher(), clock=CLOCK, admin_email="a@example.com")
    cipher = FakeCipher()
    assert setting_value("vnd_per_credit", uow=uow, cipher=cipher) == 1000
    revise_setting("vnd_per_credit", {"value": 1500}, clock=CLOCK, uow=uow, cipher=cipher)

    seed_catalog(uow=uow, hasher=FakeHasher(), clock=CLOCK, admin_email="a@example.com")
    assert setting_value("vnd_per_credit", uow=uow, cipher=cipher) == 1500
    keys = sorted(s.key for s in list_settings(uow=uow).items)
    assert keys == ["request_archive_days", "vnd_per_credit"]
