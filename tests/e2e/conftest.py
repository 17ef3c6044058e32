"""Fixtures of the e2e tests: a production-shaped stack on loopback services."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from _pytest.nodes import Item
from _pytest.reports import TestReport
from _pytest.runner import CallInfo

from genmedia.adapters.sql import migrate
from tests.e2e.stack import Stack, stack_env
from tests.integration.s3_server import moto_s3_server

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """One moto S3 server for the e2e run."""
    with moto_s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def stack(tmp_path: Path, empty_postgres_url: str, s3_endpoint: str) -> Stack:
    """A fresh database (migrated), Redis namespace, bucket and home for one test."""
    migrate.upgrade(empty_postgres_url)
    return Stack(home=tmp_path, env=stack_env(tmp_path, empty_postgres_url, REDIS_URL, s3_endpoint))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: Item, call: CallInfo[None]
) -> Generator[None, TestReport, TestReport]:
    """A failed test's report carries the logs of the processes its stack started (their
    temporary directory may be gone by the time someone reads the failure)."""
    report: TestReport = yield
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and isinstance(stack, Stack):
        for name, text in sorted(stack.logs().items()):
            report.sections.append((f"stack log {name}", text[-20_000:]))
    return report
