"""Schemathesis against the OpenAPI document a real `genmedia serve` serves, authenticated
as the seeded admin (so the admin routes are fuzzed too, not just refused) and bounded: no
answer is a 5xx, and every answer's status, content type, headers and body are as
documented. `make fuzz` runs it with many more examples (GENMEDIA_FUZZ_EXAMPLES)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from genmedia.adapters.sql import migrate
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings
from tests.e2e.test_serve import serving
from tests.http.conftest import PASSWORD

pytestmark = pytest.mark.e2e

EXAMPLES = os.environ.get("GENMEDIA_FUZZ_EXAMPLES", "25")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
UNLIMITED = str(10**9)
ADMIN = "fuzz-admin@example.com"


def test_the_served_api_answers_every_fuzzed_call_as_documented(tmp_path: Path) -> None:
    env = {
        "GENMEDIA_HOME": str(tmp_path / "var"),
        "GENMEDIA_RATE_LIMIT_PER_TOKEN": UNLIMITED,
        "GENMEDIA_RATE_LIMIT_PER_ADDRESS": UNLIMITED,
        "GENMEDIA_LOGIN_FAILURES_PER_ACCOUNT": UNLIMITED,
        "GENMEDIA_LOGIN_FAILURES_PER_ADDRESS": UNLIMITED,
        "GENMEDIA_ADMIN_EMAIL": ADMIN,
        "GENMEDIA_ADMIN_PASSWORD": PASSWORD,
    }
    container = build_container(Settings.from_env(env))
    try:
        migrate.upgrade(container.config.database_url())
        container.seed_catalog()
    finally:
        container.shutdown_resources()
    with serving(tmp_path, env) as (base, _):
        logged_in = httpx.post(f"{base}/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        token = logged_in.json()["token"]
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json",
             "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
             "--max-examples", EXAMPLES, "--exclude-path", "/v1/auth/logout",
             "--seed", "17", "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    generated = re.search(r"(\d+) generated", run.stdout)
    assert generated is not None
    assert int(generated.group(1)) > 100
