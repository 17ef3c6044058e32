"""`genmedia serve` as a real process: on the embedded default it runs the jobs itself; with
PostgreSQL and Redis it only accepts work and `genmedia worker` runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from genmedia.adapters.sql import migrate
from genmedia.application.generation.commands import SubmitRequest
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.library import wait_for
from genmedia.entrypoints.settings import Settings
from tests.e2e.stack import FAST, Stack, free_port, job_rows, stop, wait_until
from tests.http.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(
    home: Path, env: dict[str, str], port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`genmedia serve` on `port` (else a free one) with these variables; its base URL and
    process."""
    port = port or free_port()
    log = open(home / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "genmedia.entrypoints.cli", "serve", "--port", str(port)],
        env={**os.environ, **env}, cwd=home, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/healthz"), 120, "genmedia serve")
        yield base, process
    finally:
        stop(process)
        log.close()


def _register(base: str, email: str) -> int:
    answer = httpx.post(f"{base}/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["wallet"]["available"] == 100
    return int(me.json()["id"])


def _submit(container: Container, user_id: int) -> int:
    cmd = SubmitRequest(user_id=user_id, template="neon-city", params={"width": 64, "height": 64})
    return container.submit_request(cmd).id or 0


def test_serve_on_the_embedded_default_runs_the_jobs_itself(tmp_path: Path) -> None:
    env = {"GENMEDIA_HOME": str(tmp_path / "var"), **FAST}
    container = build_container(Settings.from_env(env))
    try:
        migrate.upgrade(container.config.database_url())
        container.seed_catalog()
        with serving(tmp_path, env) as (base, process):
            assert httpx.get(f"{base}/readyz").status_code == 200
            user_id = _register(base, "embedded@example.com")
            request_id = _submit(container, user_id)
            [request] = wait_for(container, [request_id], timeout=120)
            assert request.status.value == "completed"
            assert stop(process) == 0
    finally:
        container.shutdown_resources()
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert "with the in-process worker" in lines[0]
    access = [json.loads(line) for line in lines if '"genmedia.http.access"' in line]
    assert {a["route"] for a in access} >= {"/v1/auth/register", "/v1/me"}
    assert all(a["request_id"] for a in access)


def test_serve_with_redis_accepts_work_that_a_worker_runs(stack: Stack) -> None:
    with stack.container() as container:
        container.seed_catalog()
        with serving(stack.home, stack.env) as (base, _):
            assert httpx.get(f"{base}/readyz").json()["checks"] == {
                "database": "ok",
                "broker": "ok",
                "storage": "ok",
            }
            request_id = _submit(container, _register(base, "production@example.com"))
            worker = stack.worker("--threads", "2")
            try:
                [request] = wait_for(container, [request_id], timeout=120)
            finally:
                stop(worker)
        assert request.status.value == "completed", job_rows(container, request_id)
    first = (stack.home / "serve.log").read_text().splitlines()[0]
    assert "API only" in first
