"""A fake OpenRouter API on a loopback port, speaking OpenRouter's chat-completions protocol.

POST /api/v1/chat/completions (with `Authorization: Bearer`) answers, after a scripted
delay, a chat completion whose `choices[0].message.images[0].image_url.url` is a PNG drawn
with Pillow from the request, as a base64 data URL (or, scripted, a URL on this server under
/images/). A request without the image modality gets text only, as OpenRouter does. Scripts
play refusals, content filters, text-only answers, errors inside a 200, broken data URLs, and
error answers in OpenRouter's shape (`{"error": {"code", "message", "metadata"}}`) or a
gateway's HTML, with Retry-After. Every request is recorded, so tests count completions.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpx
from PIL import Image

from genmedia.application.errors import ProviderError

API_KEY = "sk-or-v1-test-0123456789abcdef0123456789abcdef"
ALWAYS = sys.maxsize
IMAGE_SIZE = (32, 24)
COMPLETIONS = "/api/v1/chat/completions"
COST = 0.039
ANSWERS = ("image", "url", "refusal", "content_filter", "text", "error", "bad_image")

# OpenRouter's message and metadata for each error status (providers.md §4.4).
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("Invalid request: unknown field", {"error_type": "invalid_request"}),
    401: ("User not found.", {}),
    402: ("Insufficient credits. Add more using https://openrouter.ai/credits", {}),
    403: (
        'google/gemini-2.5-flash-image requires moderation. Your input was flagged for "violence"',
        {
            "reasons": ["violence"],
            "flagged_input": "a violent…scene",
            "provider_name": "Google",
            "model_slug": "google/gemini-2.5-flash-image",
        },
    ),
    408: ("Request timed out", {}),
    429: ("Rate limit exceeded", {"error_type": "rate_limit_exceeded"}),
    500: ("Internal Server Error", {"error_type": "server"}),
    502: ("Provider returned error", {"error_type": "provider_unavailable"}),
    503: ("No endpoints found that can handle the request", {"error_type": "provider_overloaded"}),
}


@attrs.frozen(kw_only=True)
class Script:
    """How the fake behaves; change it with `FakeOpenRouter.script(...)`.

    answer: what a completion that gets through answers, one of ANSWERS: "image" (a PNG data
    URL), "url" (a URL on this server), "refusal" (no image; `message.refusal`),
    "content_filter" (no image; finish_reason content_filter, native IMAGE_SAFETY), "text"
    (no image, only text), "error" (no image; an error inside the 200), "bad_image" (a data
    URL whose data is not base64).
    fail_requests: how many completions answer `fail_status` first (ALWAYS for all), with
    OpenRouter's error body for that status (`fail_message` and `fail_metadata` replace its
    message and metadata) or, if
    not `fail_json`, a gateway's HTML page; `retry_after` is the Retry-After header, or
    `retry_after_date_in` makes it the HTTP date that many seconds after the answer.
    answer_delay: seconds a completion waits, after it was received, before answering.
    expire_images: images at URLs answer 404.
    cost: `usage.cost` in the answer, or None to leave it out.
    """

    answer: str = "image"
    fail_requests: int = 0
    fail_status: int = 503
    fail_message: str | None = None
    fail_metadata: dict[str, Any] | None = None
    fail_json: bool = True
    retry_after: str | None = None
    retry_after_date_in: int | None = None
    answer_delay: float = 0.0
    expire_images: bool = False
    cost: float | None = COST


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = attrs.field(factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


class FakeOpenRouter:
    """The fake's state: its script, the images it made and the requests it received."""

    def __init__(self, script: Script, api_key: str) -> None:
        self.api_key = api_key
        self.base_url = ""  # the API base, …/api/v1
        self.origin = ""
        self._script = script
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._images: dict[str, bytes] = {}
        self._failed = 0
        self.stopping = threading.Event()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def completions(self) -> list[RecordedRequest]:
        """The completion requests received so far."""
        return [r for r in self.requests if r.path == COMPLETIONS]

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def script(self, **changes: Any) -> None:
        """Change the script; the failure counter starts again from zero."""
        with self._lock:
            self._script = attrs.evolve(self._script, **changes)
            self._failed = 0

    # --- called by the handler ---

    def record(self, request: RecordedRequest) -> Script:
        with self._lock:
            self._requests.append(request)
            return self._script

    def take_failure(self) -> bool:
        with self._lock:
            if self._failed < self._script.fail_requests:
                self._failed += 1
                return True
            return False

    def keep_image(self, data: bytes) -> str:
        """Serve the image at a URL of its own; the URL."""
        image_id = str(uuid.uuid4())
        with self._lock:
            self._images[image_id] = data
        return f"{self.origin}/images/{image_id}.png"

    def image(self, image_id: str) -> bytes | None:
        with self._lock:
            return self._images.get(image_id)


def image_png(body: dict[str, Any]) -> bytes:
    """A small PNG whose colours depend only on the request body."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
    image = Image.new("RGB", IMAGE_SIZE, (digest[0], digest[1], digest[2]))
    image.paste((digest[3], digest[4], digest[5]), (0, 0, IMAGE_SIZE[0] // 2, IMAGE_SIZE[1]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def completion(
    body: dict[str, Any], message: dict[str, Any], finish: str | None, cost: float | None
) -> dict[str, Any]:
    """A chat completion answer around this message, with usage."""
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish, "native_finish_reason": finish}
    usage: dict[str, Any] = {
        "prompt_tokens": 12,
        "completion_tokens": 1300,
        "total_tokens": 1312,
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 1290},
        "is_byok": False,
    }
    if cost is not None:
        usage["cost"] = cost
    return {
        "id": f"gen-{uuid.uuid4().hex[:20]}",
        "provider": "Google",
        "model": body.get("model"),
        "object": "chat.completion",
        "created": int(time.time()),
        "choices": [choice | {"message": {"role": "assistant", **message}}],
        "usage": usage,
    }


def answer_for(fake: FakeOpenRouter, script: Script, body: dict[str, Any]) -> dict[str, Any]:
    """What a completion that got through answers, as the script says."""
    wants_image = "image" in (body.get("modalities") or [])
    kind = script.answer if wants_image else "text"
    text = {"content": "Here is your picture."}
    if kind in ("image", "url", "bad_image"):
        png = image_png(body)
        url = {
            "image": data_url(png),
            "url": fake.keep_image(png),
            "bad_image": "data:image/png;base64,@@not-base64@@",
        }[kind]
        images = [{"type": "image_url", "image_url": {"url": url}}]
        return completion(body, text | {"images": images}, "stop", script.cost)
    if kind == "refusal":
        refusal = {"content": None, "refusal": "I can't help with that request."}
        return completion(body, refusal, "stop", script.cost)
    if kind == "content_filter":
        answer = completion(body, {"content": ""}, "content_filter", script.cost)
        answer["choices"][0]["native_finish_reason"] = "IMAGE_SAFETY"
        return answer
    if kind == "error":
        answer = completion(body, {"content": ""}, "error", script.cost)
        error = {"code": 502, "message": "Provider disconnected"}
        answer["choices"][0]["error"] = error | {"metadata": {"error_type": "provider_unavailable"}}
        return answer
    return completion(body, {"content": "I would draw a fox in the snow."}, "stop", script.cost)


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
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        recorded = RecordedRequest(
            method=self.command,
            path=path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        script = fake.record(recorded)
        if path.startswith("/images/"):
            self._image(fake, script, recorded)
            return
        auth = recorded.headers.get("authorization")
        if auth is None:
            self._error(401, "No auth credentials found")
        elif auth != f"Bearer {fake.api_key}":
            self._error(401, "User not found.")
        elif self.command == "POST" and path == COMPLETIONS:
            self._complete(fake, script, recorded)
        else:
            self._error(404, "Not Found")

    def _complete(self, fake: FakeOpenRouter, script: Script, request: RecordedRequest) -> None:
        if fake.take_failure():
            self._failure(script)
            return
        try:
            body = request.json()
        except ValueError:
            self._error(400, "Invalid JSON")
            return
        if not isinstance(body, dict) or not body.get("model") or not body.get("messages"):
            self._error(400, "model and messages are required")
            return
        if script.answer_delay:
            fake.stopping.wait(script.answer_delay)
        self._json(200, answer_for(fake, script, body))

    def _image(self, fake: FakeOpenRouter, script: Script, request: RecordedRequest) -> None:
        if "authorization" in request.headers:
            self._error(400, "credentials must not be sent to the image URL")
            return
        data = fake.image(request.path.removeprefix("/images/").removesuffix(".png"))
        if data is None or script.expire_images:
            self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "text/xml")
            return
        self._reply(200, data, "image/png")

    def _failure(self, script: Script) -> None:
        status = script.fail_status
        headers = {"Retry-After": script.retry_after} if script.retry_after else {}
        if script.retry_after_date_in is not None:
            when = datetime.now(UTC) + timedelta(seconds=script.retry_after_date_in)
            headers["Retry-After"] = format_datetime(when, usegmt=True)
        if not script.fail_json:
            page = f"<html><body><h1>{status} Gateway error</h1></body></html>".encode()
            self._reply(status, page, "text/html", headers)
            return
        message, metadata = ERRORS.get(status, ("Error", {}))
        message = script.fail_message or message
        if script.fail_metadata is not None:
            metadata = script.fail_metadata
        self._error(status, message, metadata, headers)

    def _error(
        self,
        status: int,
        message: str,
        metadata: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        error: dict[str, Any] = {"code": status, "message": message}
        if metadata:
            error["metadata"] = metadata
        self._json(status, {"error": error}, headers)

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

    def __init__(self, fake: FakeOpenRouter) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (the read-timeout tests) are not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def fake_openrouter_server(*, api_key: str = API_KEY, **script: Any) -> Iterator[FakeOpenRouter]:
    """Run a fake OpenRouter on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeOpenRouter(Script(**script), api_key)
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.origin = f"http://{host!s}:{port}"
    fake.base_url = f"{fake.origin}/api/v1"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="fake-openrouter",
        daemon=True,
    )
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def fetch_loopback(url: str) -> bytes:
    """The tests' stand-in for the delivery downloader: loopback only, no credentials."""
    if httpx.URL(url).host != "127.0.0.1":
        raise ProviderError("result_url_forbidden", "the tests download from 127.0.0.1 only")
    try:
        response = httpx.get(url, timeout=5.0)
    except httpx.HTTPError:
        response = None
    status = 0 if response is None else response.status_code
    if status in (403, 404, 410):
        raise ProviderError("result_expired", f"the result URL answered {status}")
    if response is None or status >= 400:
        raise ProviderError(
            "result_unavailable", f"the result host failed ({status})", retryable=True
        )
    return response.content
