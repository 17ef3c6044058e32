"""GENMEDIA_PROVIDER_CONCURRENCY: per-provider limits for the dispatcher (issue #18)."""

from __future__ import annotations

import pytest

from genmedia.domain.errors import InvalidValue
from genmedia.domain.scheduling import ProviderLimits
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings


def test_the_setting_gives_each_named_provider_its_limit() -> None:
    settings = Settings.from_env({"GENMEDIA_PROVIDER_CONCURRENCY": "bfl=24, fal=10"})
    policy = build_container(settings).dispatch_policy()
    assert policy.limits == ProviderLimits({"bfl": 24, "fal": 10})


def test_without_the_setting_no_provider_is_limited() -> None:
    assert build_container(Settings()).dispatch_policy().limits == ProviderLimits()


@pytest.mark.parametrize("written", ["fal", "fal=0", "fal=many", "=3", "fal=-1"])
def test_a_limit_that_is_not_provider_equals_a_positive_number_names_the_setting(
    written: str,
) -> None:
    with pytest.raises(InvalidValue) as refused:
        Settings.from_env({"GENMEDIA_PROVIDER_CONCURRENCY": written})
    assert refused.value.field == "GENMEDIA_PROVIDER_CONCURRENCY"
