"""A fake Black Forest Labs API on loopback whose every task takes a fixed time, for the
`async` benchmark; run in its own process by `serve_in_process`.

It speaks the part of BFL's protocol the worker uses (`reference/providers.md` §1):
`POST /v1/<model>` creates a task and answers `{id, polling_url, cost}`;
`GET /v1/get_result?id=` answers `Pending` with BFL's `progress` (the share of the task's
time gone) until the task's time is up, then `Ready` with a sample URL; `GET /samples/<id>`
serves a small PNG. `GET /stats` reports what the benchmark measures: when each task
became ready (wall clock), the most tasks in flight at once (created and not yet answered
`Ready`), and the requests of each kind.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

API_KEY = "bench-bfl-key"


def _sample_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


class Tasks:
    """The fake's tasks and its tallies, shared by its handler threads."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.created: dict[str, float] = {}
        self.collected: set[str] = set()
        self.counts = {"submit": 0, "poll": 0, "download": 0}
        self.max_in_flight = 0
        self._ids = itertools.count(1)
        self.sample = _sample_png()

    def create(self) -> str:
        with self.lock:
            task_id = f"task-{next(self._ids)}"
            self.created[task_id] = time.time()
            self.counts["submit"] += 1
            in_flight = len(self.created) - len(self.collected)
            self.max_in_flight = max(self.max_in_flight, in_flight)
            return task_id

    def poll(self, task_id: str) -> tuple[str, float]:
        """The task's status now and its progress (0 to 1)."""
        with self.lock:
            self.counts["poll"] += 1
            created = self.created.get(task_id)
            if created is None:
                return "Task not found", 0.0
            gone = (time.time() - created) / self.seconds
            if gone < 1:
                return "Pending", gone
            self.collected.add(task_id)
            return "Ready", 1.0

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "ready_at": {t: created + self.seconds for t, created in self.created.items()},
                "max_in_flight": self.max_in_flight,
                "counts": dict(self.counts),
            }


def _handler(tasks: Tasks, base_url: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the
        # body until the client acknowledges the headers (up to 40 ms of delayed ACK).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, answer: Any) -> None:
            self._send(status, json.dumps(answer).encode(), "application/json")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("x-key") != API_KEY:
                self._json(403, {"detail": "Not authenticated"})
                return
            task_id = tasks.create()
            polling_url = f"{base_url}/v1/get_result?id={task_id}"
            self._json(200, {"id": task_id, "polling_url": polling_url, "cost": 1.0})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/v1/get_result":
                task_id = parse_qs(url.query).get("id", [""])[0]
                self._json(200, self._result(task_id))
            elif url.path.startswith("/samples/"):
                with tasks.lock:
                    tasks.counts["download"] += 1
                self._send(200, tasks.sample, "image/png")
            elif url.path == "/stats":
                self._json(200, tasks.stats())
            else:
                self._json(404, {"detail": "Not Found"})

        def _result(self, task_id: str) -> dict[str, Any]:
            status, progress = tasks.poll(task_id)
            answer: dict[str, Any] = {"id": task_id, "status": status, "result": None}
            if status == "Pending":
                answer["progress"] = round(progress, 4)
            elif status == "Ready":
                answer["result"] = {"sample": f"{base_url}/samples/{task_id}.png"}
            return answer

    return Handler


def serve(seconds: float, pipe: Connection) -> None:
    """Serve on a free loopback port until the pipe says stop; send the base URL first."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = _handler(Tasks(seconds), base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pipe.send(base_url)
    pipe.recv()
    server.shutdown()
