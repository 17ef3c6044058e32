"""A fake Black Forest Labs API on a loopback port, speaking BFL's real protocol.

POST /v1/<model> (with `x-key`) answers {id, polling_url, cost, …}; GET /v1/get_result?id=
answers Pending a scripted number of times, then Ready with `result.sample` pointing at
/samples/<id>.png on this server, a small PNG drawn with Pillow from the request; moderation,
errors, unknown tasks, 4xx/5xx answers with Retry-After, slow submits and expired samples can
be scripted per test. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
from PIL import Image

API_KEY = "bfl-test-key-0123456789abcdef"
ALWAYS = sys.maxsize
SAMPLE_SIZE = (32, 24)


@attrs.frozen(kw_only=True)
class Script:
    """How the fake behaves; change it with `FakeBfl.script(...)`.

    fail_submits / fail_polls: how many submits / polls answer `fail_status` (ALWAYS for all),
    with `fail_detail` as the `detail` and `retry_after` as the Retry-After header.
    pending_polls: how many polls of a task answer Pending before its final status.
    final_status: "Ready", "Request Moderated", "Content Moderated", "Error", or any string.
    not_found_status: 200 answers {"status": "Task not found"} for unknown ids; 404 a 404.
    submit_delay: seconds a submit waits (after the task is created) before answering.
    poll_delay: seconds a poll waits before answering.
    expire_samples: samples answer `expired_status` instead of their bytes.
    forget_tasks: polls answer as for an unknown task (see `not_found_status`), even for
    tasks this fake created.
    cost: the credits the submit answer reports, or None to leave `cost` out.
    """

    fail_submits: int = 0
    fail_polls: int = 0
    fail_status: int = 503
    fail_detail: Any = "Service temporarily unavailable"
    retry_after: str | None = None
    pending_polls: int = 2
    final_status: str = "Ready"
    not_found_status: int = 200
    submit_delay: float = 0.0
    poll_delay: float = 0.0
    expire_samples: bool = False
    expired_status: int = 404
    forget_tasks: bool = False
    cost: float | None = 4.0


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = attrs.field(factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


@attrs.define
class _Task:
    body: dict[str, Any]
    final_status: str
    pending_polls: int
    polls: int = 0


class FakeBfl:
    """The fake's state: its script, tasks, samples and the requests it received."""

    def __init__(self, script: Script, api_key: str) -> None:
        self.api_key = api_key
        self.base_url = ""
        self._script = script
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._tasks: dict[str, _Task] = {}
        self._failed_submits = 0
        self._failed_polls = 0
        self.stopping = threading.Event()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def script(self, **changes: Any) -> None:
        """Change the script; failure counters start again from zero."""
        with self._lock:
            self._script = attrs.evolve(self._script, **changes)
            self._failed_submits = 0
            self._failed_polls = 0

    @property
    def task_ids(self) -> list[str]:
        with self._lock:
            return list(self._tasks)

    def sample_url(self, task_id: str) -> str:
        return f"{self.base_url}/samples/{task_id}.png"

    # --- called by the handler ---

    def record(self, request: RecordedRequest) -> Script:
        with self._lock:
            self._requests.append(request)
            return self._script

    def take_submit_failure(self) -> bool:
        with self._lock:
            if self._failed_submits < self._script.fail_submits:
                self._failed_submits += 1
                return True
            return False

    def take_poll_failure(self) -> bool:
        with self._lock:
            if self._failed_polls < self._script.fail_polls:
                self._failed_polls += 1
                return True
            return False

    def create_task(self, body: dict[str, Any]) -> str:
        task_id = str(uuid.uuid4())
        with self._lock:
            self._tasks[task_id] = _Task(
                body=body,
                final_status=self._script.final_status,
                pending_polls=self._script.pending_polls,
            )
        return task_id

    def count_poll(self, task_id: str) -> tuple[str, dict[str, Any], float | None] | None:
        """The status of a task after one more poll, its body and its progress (the share
        of its pending polls answered; None for a task pending ALWAYS, whose length is
        unknown); None if unknown."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None or self._script.forget_tasks:
                return None
            task.polls += 1
            done = task.polls > task.pending_polls
            endless = task.pending_polls >= ALWAYS
            progress = None if endless else min(task.polls / (task.pending_polls + 1), 1.0)
            return (task.final_status if done else "Pending"), task.body, progress

    def finish(self, task_id: str) -> None:
        """Make the task's next poll answer its final status (BFL finished it just now)."""
        with self._lock:
            task = self._tasks[task_id]
            task.pending_polls = task.polls

    def task_body(self, task_id: str) -> dict[str, Any] | None:
        with self._lock:
            task = self._tasks.get(task_id)
            return None if task is None else task.body


def sample_png(body: dict[str, Any]) -> bytes:
    """A small PNG whose colours depend only on the request body."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
    image = Image.new("RGB", SAMPLE_SIZE, (digest[0], digest[1], digest[2]))
    image.paste((digest[3], digest[4], digest[5]), (0, 0, SAMPLE_SIZE[0] // 2, SAMPLE_SIZE[1]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        recorded = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        script = fake.record(recorded)
        if parts.path.startswith("/samples/"):
            self._sample(fake, script, recorded)
            return
        key = recorded.headers.get("x-key")
        if key is None:
            self._json(403, {"detail": "Not authenticated"})
        elif key != fake.api_key:
            self._json(401, {"detail": "Invalid API key"})
        elif self.command == "GET" and parts.path == "/v1/get_result":
            self._poll(fake, script, recorded)
        elif self.command == "POST" and parts.path.startswith("/v1/"):
            self._submit(fake, script, recorded)
        else:
            self._json(404, {"detail": "Not Found"})

    def _submit(self, fake: FakeBfl, script: Script, request: RecordedRequest) -> None:
        if fake.take_submit_failure():
            self._failure(script)
            return
        try:
            body = request.json()
        except ValueError:
            self._json(422, {"detail": [{"loc": ["body"], "msg": "invalid JSON"}]})
            return
        task_id = fake.create_task(body)
        if script.submit_delay:
            fake.stopping.wait(script.submit_delay)
        answer: dict[str, Any] = {
            "id": task_id,
            "polling_url": f"{fake.base_url}/v1/get_result?id={task_id}",
        }
        if script.cost is not None:
            answer |= {"cost": script.cost, "input_mp": 0.0, "output_mp": 0.79}
        self._json(200, answer)

    def _poll(self, fake: FakeBfl, script: Script, request: RecordedRequest) -> None:
        if fake.take_poll_failure():
            self._failure(script)
            return
        if script.poll_delay:
            fake.stopping.wait(script.poll_delay)
        task_id = (request.query.get("id") or [""])[0]
        polled = fake.count_poll(task_id)
        if polled is None:
            if script.not_found_status == 404:
                self._json(404, {"detail": "Not Found"})
            else:
                self._json(200, {"id": task_id, "status": "Task not found"})
            return
        status, body, progress = polled
        answer: dict[str, Any] = {
            "id": task_id,
            "status": status,
            "result": None,
            "progress": None,
            "details": None,
            "preview": None,
        }
        if status == "Pending":
            answer["progress"] = progress
        elif status == "Ready":
            answer["result"] = {
                "sample": fake.sample_url(task_id),
                "prompt": body.get("prompt"),
                "seed": body.get("seed"),
            }
        elif status.endswith("Moderated"):
            answer["details"] = {"Moderation Reasons": ["Derivative Works Filter"]}
        self._json(200, answer)

    def _sample(self, fake: FakeBfl, script: Script, request: RecordedRequest) -> None:
        if "x-key" in request.headers:
            self._json(400, {"detail": "credentials must not be sent to the delivery URL"})
            return
        task_id = request.path.removeprefix("/samples/").removesuffix(".png")
        body = fake.task_body(task_id)
        if body is None or script.expire_samples:
            status = script.expired_status if body is not None else 404
            self._reply(status, b"<Error><Code>AuthenticationFailed</Code></Error>", "text/xml")
            return
        self._reply(200, sample_png(body), "image/png")

    def _failure(self, script: Script) -> None:
        headers = {"Retry-After": script.retry_after} if script.retry_after else {}
        self._json(script.fail_status, {"detail": script.fail_detail}, headers)

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._reply(status, json.dumps(body).encode(), "application/json", headers)

    def _reply(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBfl) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (the read-timeout tests) are not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def fake_bfl_server(*, api_key: str = API_KEY, **script: Any) -> Iterator[FakeBfl]:
    """Run a fake BFL on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeBfl(Script(**script), api_key)
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-bfl", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
