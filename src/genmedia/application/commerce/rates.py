"""The VND↔credits rate (seed 000): configured, else the `vnd_per_credit` setting (CAT-7)."""

from __future__ import annotations

from genmedia.application.ports import SecretCipher, UnitOfWork
from genmedia.application.settings.overrides import configured_or_setting
from genmedia.domain.money import VND_PER_CREDIT, CreditRate

RATE_SETTING = "vnd_per_credit"


def credit_rate(*, uow: UnitOfWork, cipher: SecretCipher, configured: int | None) -> CreditRate:
    """The rate: GENMEDIA_VND_PER_CREDIT when set (the environment wins, as for provider
    keys), else the setting an admin may change, else VND_PER_CREDIT."""
    rate = configured_or_setting(RATE_SETTING, configured, VND_PER_CREDIT, uow=uow, cipher=cipher)
    return CreditRate(rate)
