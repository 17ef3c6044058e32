"""Schemathesis against the catalog's admin routes, called as an admin on a seeded SQLite
app: no answer is a 5xx, and every status, content type and body is one the served
document declares (`make fuzz` covers every route, admin ones included, on a served app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar.testing import TestClient

from genmedia.entrypoints.http.app import create_app
from tests.http.conftest import Registered, http_container, register_admin
from tests.http.test_contract_sections import CHECKS

pytestmark = pytest.mark.integration

ADMIN_CATALOG = "^/v1/admin/(features|templates|tags|provider-models)"


@pytest.fixture
def fuzzed(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[Any, Registered]]:
    """The served document of the catalog's admin routes, and an admin to call them as."""
    container = http_container(
        tmp_path / "home", sqlite_url, rate_limit_per_address=10**6, rate_limit_per_token=10**6
    )
    container.seed_catalog()
    app = create_app(container)
    with TestClient(app) as client:
        admin = register_admin(client, container)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=ADMIN_CATALOG)
    yield schema, admin
    container.shutdown_resources()


def test_no_admin_catalog_answer_is_a_server_error_or_outside_the_document(
    fuzzed: tuple[Any, Registered],
) -> None:
    schema, admin = fuzzed
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 22
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def calls(case: Any) -> None:
            case.call_and_validate(headers=admin.headers, checks=CHECKS)

        calls()
