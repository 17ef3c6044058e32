"""`genmedia serve` in a subprocess, for what only a separate server process can show: its
memory while it reads a large body, and real HTTP framing.

    with live_server(home, database_url) as server:
        httpx.get(f"{server.url}/healthz")
        server.peak_rss()        # VmHWM of the process that serves, in bytes
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import httpx

from tests.e2e.stack import free_port, stop
from tests.waiting import wait_until


def _status(pid: int, field: str) -> int:
    """A `kB` line of /proc/<pid>/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


@attrs.frozen
class LiveServer:
    """A server subprocess: its URL and the process that serves requests."""

    url: str
    pid: int

    def reset_peak(self) -> int:
        """Make the peak RSS the current RSS (Linux clear_refs); that RSS, in bytes."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        return _status(self.pid, "VmRSS")

    def peak_rss(self) -> int:
        """The highest RSS of the serving process since the last reset, in bytes."""
        return _status(self.pid, "VmHWM")


@contextmanager
def live_server(home: Path, database: str, **env: str) -> Iterator[LiveServer]:
    """Run `genmedia serve` on a migrated `database`, its files under `home`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {
        "GENMEDIA_HOME": str(home),
        "GENMEDIA_DATABASE_URL": database,
        "GENMEDIA_PUBLIC_URL": url,
        **env,
    }
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "genmedia.entrypoints.cli", "serve", "--port", str(port)],
        env={**os.environ, **settings}, cwd=home, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until(lambda: _answers(url) or process.poll() is not None)
        assert process.poll() is None, (home / "serve.log").read_text()
        # granian serves from a worker process of its own
        yield LiveServer(url=url, pid=_descendants(process.pid)[-1])
    finally:
        stop(process)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
