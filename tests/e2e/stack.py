"""A production-shaped genmedia for e2e tests: PostgreSQL, Redis, moto's S3 and worker processes.

Everything listens on 127.0.0.1. Each stack has its own database, Redis namespace, bucket
and home directory; worker processes are real `genmedia worker` subprocesses.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import generation_jobs
from genmedia.entrypoints.container import Container, build_container
from genmedia.entrypoints.settings import Settings
from tests.integration.s3_server import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

ROOT = Path(__file__).resolve().parents[2]
FAST = {
    "GENMEDIA_DISPATCH_INTERVAL": "0.05",
    "GENMEDIA_HEARTBEAT_INTERVAL": "0.3",
    "GENMEDIA_HEARTBEAT_TIMEOUT": "2",
    "GENMEDIA_MAINTENANCE_INTERVAL": "0.3",
    "GENMEDIA_REDISPATCH_AFTER": "3",
    "GENMEDIA_RETRY_BASE_DELAY": "0.2",
    "GENMEDIA_RETRY_MAX_DELAY": "2",
}


@attrs.define
class Stack:
    """Where one test's genmedia keeps its state, as GENMEDIA_* variables."""

    home: Path
    env: dict[str, str]

    def settings(self, **overrides: Any) -> Settings:
        """Settings read from this stack's environment."""
        return attrs.evolve(Settings.from_env(self.env), **overrides)

    @contextmanager
    def container(self, **overrides: Any) -> Iterator[Container]:
        """A library container on this stack."""
        container = build_container(self.settings(**overrides))
        try:
            yield container
        finally:
            container.shutdown_resources()

    def worker(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        """Start `genmedia worker` with these arguments and extra variables."""
        return self.spawn("genmedia.entrypoints.cli", "worker", *args, **env)

    def spawn(self, module: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        """Start `python -m module args…` on this stack, its output in a log of the home
        named after its first argument that is not an option."""
        role = next(arg for arg in args if not arg.startswith("-"))
        log = open(self.home / f"{role}-{secrets.token_hex(3)}.log", "wb")  # noqa: SIM115
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env={**os.environ, **self.env, "PYTHONPATH": str(ROOT), **env}, cwd=self.home,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def logs(self) -> dict[str, str]:
        """The output of every process this stack started, by log file name."""
        return {path.name: path.read_text(errors="replace") for path in self.home.glob("*.log")}


@contextmanager
def seeded_stack_with_worker(
    home: Path, database_url: str, redis_url: str, s3_endpoint: str, provider_env: dict[str, str]
) -> Iterator[Container]:
    """A migrated, seeded stack on PostgreSQL, Redis and S3 with these provider variables,
    and one worker process (2 threads) running until the block ends (it must stop cleanly)."""
    migrate.upgrade(database_url)
    stack = Stack(home=home, env=stack_env(home, database_url, redis_url, s3_endpoint))
    stack.env.update(provider_env)
    with stack.container() as app:
        app.seed_catalog()
        worker = stack.worker("--threads", "2")
        try:
            yield app
        finally:
            assert stop(worker) == 0, stack.logs()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    """Signal a process and wait for it; its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout)


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@contextmanager
def redis_server(port: int, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of our own on 127.0.0.1:`port`, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise AssertionError("redis-server is not installed; it is needed for the outage test")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: _listening(port), 10, f"redis on port {port}")
        yield process
    finally:
        stop(process)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stack_env(home: Path, database_url: str, redis_url: str, s3_endpoint: str) -> dict[str, str]:
    """The GENMEDIA_* variables of a stack."""
    return {
        "GENMEDIA_HOME": str(home),
        "GENMEDIA_DATABASE_URL": database_url,
        "GENMEDIA_REDIS_URL": redis_url,
        "GENMEDIA_REDIS_NAMESPACE": f"genmedia-test-{secrets.token_hex(4)}",
        "GENMEDIA_S3_BUCKET": f"genmedia-e2e-{secrets.token_hex(4)}",
        "GENMEDIA_S3_ENDPOINT_URL": s3_endpoint,
        "GENMEDIA_S3_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
        "GENMEDIA_S3_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
        "GENMEDIA_S3_CREATE_BUCKET": "true",
        # The fake providers serve their results on loopback; a test of the refusal sets
        # it back to "false".
        "GENMEDIA_FETCH_ALLOW_PRIVATE": "true",
        **FAST,
    }


def scrape(port: int) -> dict[str, float]:
    """The unlabelled samples a process serves at http://127.0.0.1:`port`/metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    samples = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if line and not line.startswith("#") and "{" not in name:
            samples[name] = float(value)
    return samples


def job_rows(container: Container, request_id: int) -> list[dict[str, Any]]:
    """The request's job rows as the database has them now (for a failing test's message)."""
    jobs = generation_jobs
    columns = [jobs.c[name] for name in JOB_COLUMNS]
    query = sa.select(*columns).where(jobs.c.request_id == request_id).order_by(jobs.c.id)
    with container.engine().connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


JOB_COLUMNS = (
    "id", "status", "worker_id", "lease", "attempts", "started_at", "dispatched_at",
    "run_after", "provider_task_id", "cancel_requested", "error_code", "updated_at",
)  # fmt: skip
