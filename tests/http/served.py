"""`genmedia serve` as a subprocess on a loopback port, for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import attrs
import httpx

STARTUP_LIMIT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def genmedia(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one `genmedia` command with this environment; fails unless it exits 0."""
    command = [sys.executable, "-m", "genmedia.entrypoints.cli", *args]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"genmedia serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"genmedia serve did not answer /healthz: {log.read_text()[-2000:]}")


@attrs.frozen
class Server:
    """A running `genmedia serve`: its base URL and its main process id."""

    base: str
    pid: int


@contextmanager
def served(env: Mapping[str, str], log: Path, *, workers: int = 1) -> Iterator[Server]:
    """`genmedia serve` run with `env` (GENMEDIA_* settings) on a free port.

    Its output goes to `log`. The server is stopped with SIGTERM when the block ends.
    """
    port = free_port()
    command = [sys.executable, "-m", "genmedia.entrypoints.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server, log)
        yield Server(base=base, pid=server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
