"""The settings a new installation starts with (SPEC CAT-8; seed 000 §5), added by the seed
when missing and never changed once there."""

from __future__ import annotations

from genmedia.application.ports import UnitOfWork
from genmedia.domain.request import ARCHIVE_DAYS
from genmedia.domain.settings import Setting, SettingType


def default_settings() -> list[Setting]:
    """Fresh copies of the default settings."""
    return [
        Setting.define(
            key="vnd_per_credit",
            value=1000,
            type=SettingType.INT,
            group="billing",
            label="VND per credit",
            description="The VND↔credits rate: how many Vietnamese đồng one credit is worth.",
        ),
        Setting.define(
            key="request_archive_days",
            value=ARCHIVE_DAYS,
            type=SettingType.INT,
            group="retention",
            label="Archive requests after (days)",
            description="Finished requests older than this leave the default listings.",
        ),
    ]


def seed_default_settings(uow: UnitOfWork) -> int:
    """Add the default settings that are missing, inside the caller's transaction; how many
    were added."""
    missing = [s for s in default_settings() if uow.settings.find(s.key) is None]
    for setting in missing:
        uow.settings.add(setting)
    return len(missing)
