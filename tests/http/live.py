"""The HTTP app served by a real ASGI server in a subprocess, for what only a separate
process can show: its memory while it reads a large body, and real HTTP framing.

    with live_server(home, database_url, "uvicorn") as server:
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

from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.http.app import create_app
from tests.e2e.stack import free_port, stop
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests.http.live:app_from_env"
COMMANDS = {
    "uvicorn": ["-m", "uvicorn", "--factory", TARGET, "--no-access-log"],
    "granian": ["-m", "granian", "--interface", "asgi", "--factory", TARGET, "--no-log"],
}


def app_from_env() -> object:
    """The app on a container built from the GENMEDIA_* environment (the server's factory)."""
    return create_app(build_container())


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
def live_server(home: Path, database: str, server: str, **env: str) -> Iterator[LiveServer]:
    """Serve the app on a migrated `database`, its files under `home`, with `server`
    (uvicorn or granian)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {
        "GENMEDIA_HOME": str(home),
        "GENMEDIA_DATABASE_URL": database,
        "GENMEDIA_PUBLIC_URL": url,
        **env,
    }
    log = (home / f"{server}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, *COMMANDS[server], "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **settings}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until(lambda: _answers(url) or process.poll() is not None)
        assert process.poll() is None, (home / f"{server}.log").read_text()
        serving = process.pid if server == "uvicorn" else _descendants(process.pid)[-1]
        yield LiveServer(url=url, pid=serving)
    finally:
        stop(process)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
