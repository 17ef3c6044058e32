"""A fake fal.ai queue API on a loopback port, speaking fal's real protocol (providers.md §2).

POST /{endpoint id} (with `Authorization: Key …`) queues a request and answers
{status: IN_QUEUE, request_id, status_url, response_url, cancel_url, queue_position, …};
GET …/requests/{id}/status answers IN_QUEUE, then IN_PROGRESS, a scripted number of times,
then COMPLETED (with `error`/`error_type` when the script says the request failed);
GET …/requests/{id} answers the result, whose images point at /files/{id}.png on this
server (a small PNG drawn from the request), or fal's error body; PUT …/cancel cancels.
GET /.well-known/jwks.json serves the fake's Ed25519 key, with which `signed_headers`
signs webhook deliveries. GET /api/openapi/queue/openapi.json?endpoint_id=… answers the
endpoint's OpenAPI document (`schemas`, see fake_schemas), without a key, as fal.ai does.
Every request is recorded; submits are counted. Trainings and the LoRAs of generations:
see fake_fal_training.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.integration.fake_bfl import RecordedRequest, sample_png
from tests.integration.fake_fal_training import (
    Archive,
    download_archive,
    is_trainer,
    lora_downloads,
    training_files,
    training_result,
)
from tests.integration.fake_schemas import FAL_SCHEMA_PATH, fal_openapi_document

API_KEY = "fal-key-id-0123:fal-key-secret-456789abcdef"
ALWAYS = sys.maxsize
BILLABLE_UNITS = "1.5"
JWKS_PATH = "/.well-known/jwks.json"
_FILE = re.compile(r"/files/(?P<id>[^/]+)/(?P<name>[^/]+)")
_REQUEST = re.compile(r"/(?P<app>.+)/requests/(?P<id>[^/]+)(?P<tail>/status|/cancel)?")
_MODERATION_MSG = "The content could not be processed because it was flagged by a content checker."


@attrs.frozen(kw_only=True)
class Script:
    """How the fake behaves; change it with `FakeFal.script(...)`.

    queued_polls / running_polls: how many status polls of a request answer IN_QUEUE, then
    IN_PROGRESS, before COMPLETED.
    outcome: what a completed request is: "images"; "nsfw" (an image flagged in
    `has_nsfw_concepts`); "input_moderated" (COMPLETED with an error, the result a 422
    `content_policy_violation`); "no_media" (likewise, `no_media_generated`); "error"
    (COMPLETED with `error_type: request_timeout`, the result a 504); any other string is
    answered by the status as an unknown status.
    fail_submits: how many submits answer `fail_status` before queueing anything, with
    `fail_detail` and a Retry-After of `retry_after` (text) or `retry_after_in` (seconds
    from the moment of answering, as an HTTP-date).
    fail_submits_after_queueing: how many submits queue the request, then answer
    `fail_status` with its `x-fal-request-id` (the outcome a client cannot know).
    fail_polls: how many status polls answer `fail_status`.
    forget_requests: status, result and cancel know no request (404).
    expire_files: result files answer 404.
    submit_delay: seconds a submit waits (after queueing) before answering.
    omit_urls: the submit answer names no status/response/cancel URL.
    lora_fetches: how many times a training's LoRA and config files are served before they
    expire (404).
    """

    queued_polls: int = 1
    running_polls: int = 1
    outcome: str = "images"
    fail_submits: int = 0
    fail_submits_after_queueing: int = 0
    fail_polls: int = 0
    fail_status: int = 503
    fail_detail: Any = "Service temporarily unavailable"
    retry_after: str | None = None
    retry_after_in: float | None = None
    forget_requests: bool = False
    expire_files: bool = False
    submit_delay: float = 0.0
    omit_urls: bool = False
    lora_fetches: int = 1


@attrs.define
class _Request:
    app: str
    body: dict[str, Any]
    script: Script
    polls: int = 0
    cancelled: bool = False
    # A training's archive as downloaded (None: it could not be), and the files it made.
    archive: Archive | None = None
    files: dict[str, bytes] = attrs.field(factory=dict)
    # What each LoRA a generation named downloaded as (None: it could not be).
    loras: list[bytes | None] = attrs.field(factory=list)
    training: bool = False

    @property
    def completed(self) -> bool:
        return self.polls > self.script.queued_polls + self.script.running_polls


class FakeFal:
    """The fake's state: its script, requests, signing key and the HTTP requests it got."""

    def __init__(self, script: Script, api_key: str) -> None:
        self.api_key = api_key
        self.base_url = ""
        self.signing_key = Ed25519PrivateKey.generate()
        self._script = script
        self._lock = threading.Lock()
        self._http: list[RecordedRequest] = []
        self._requests: dict[str, _Request] = {}
        self._failures = {"submit": 0, "queued": 0, "poll": 0}
        self._served: dict[str, int] = {}
        self.stopping = threading.Event()
        # The OpenAPI documents the fake publishes, by endpoint id.
        self.schemas = {"fal-ai/flux/dev": fal_openapi_document("fal-ai/flux/dev")}

    @property
    def schema_url(self) -> str:
        """Where the fake publishes its endpoints' OpenAPI documents."""
        return self.base_url + FAL_SCHEMA_PATH

    @property
    def http(self) -> list[RecordedRequest]:
        """A copy of the HTTP requests received so far, oldest first."""
        with self._lock:
            return list(self._http)

    @property
    def submits(self) -> list[RecordedRequest]:
        """The submits received, whatever they were answered."""
        return [r for r in self.http if r.method == "POST"]

    @property
    def request_ids(self) -> list[str]:
        """The ids of the requests queued, oldest first."""
        with self._lock:
            return list(self._requests)

    def request(self, request_id: str) -> _Request:
        """A queued request: its body, and what the fake downloaded for it."""
        with self._lock:
            return self._requests[request_id]

    def served(self, path: str) -> int:
        """How many times the file at `path` was served (with 200)."""
        with self._lock:
            return self._served.get(path, 0)

    def cancelled(self, request_id: str) -> bool:
        with self._lock:
            return self._requests[request_id].cancelled

    def script(self, **changes: Any) -> None:
        """Change the script; failure counters start again from zero."""
        with self._lock:
            self._script = attrs.evolve(self._script, **changes)
            self._failures = dict.fromkeys(self._failures, 0)

    def reset(self, **script: Any) -> None:
        """Forget every request and recorded call, and play a fresh script."""
        with self._lock:
            self._http.clear()
            self._requests.clear()
            self._served.clear()
        self.script(**(attrs.asdict(Script()) | script))

    def request_url(self, app: str, request_id: str, tail: str = "") -> str:
        return f"{self.base_url}/{app}/requests/{request_id}{tail}"

    def file_url(self, request_id: str) -> str:
        return f"{self.base_url}/files/{request_id}.png"

    def file_bytes(self, request_id: str) -> bytes:
        """The PNG a request's result points at."""
        with self._lock:
            request = self._requests[request_id]
        return _png(request)

    @property
    def jwks(self) -> dict[str, Any]:
        raw = self.signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).decode()  # padded, as fal's may be
        return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "fake", "use": "sig"}]}

    def signed_headers(
        self, body: bytes, request_id: str, *, user_id: str = "fake-user", at: float | None = None
    ) -> dict[str, str]:
        """The headers fal sends with a webhook delivery of `body`, signed by this fake."""
        return signed_headers(self.signing_key, body, request_id, user_id=user_id, at=at)

    # --- called by the handler ---

    def record(self, request: RecordedRequest) -> Script:
        with self._lock:
            self._http.append(request)
            return self._script

    def take_failure(self, kind: str, allowed: int) -> bool:
        with self._lock:
            if self._failures[kind] < allowed:
                self._failures[kind] += 1
                return True
            return False

    def queue(self, app: str, body: dict[str, Any], script: Script) -> str:
        request_id = str(uuid.uuid4())
        request = _Request(app=app, body=body, script=script, training=is_trainer(app))
        if request.training:
            request.archive = download_archive(body.get("images_data_url"))
            if request.archive is not None:
                request.files = training_files(request_id, request.archive, body)
        request.loras = lora_downloads(body)
        with self._lock:
            self._requests[request_id] = request
        return request_id

    def serve_file(self, request_id: str, name: str, path: str) -> bytes | None:
        """A training's file, unless it never existed or has expired (served its count)."""
        with self._lock:
            request = self._requests.get(request_id)
            data = request.files.get(name) if request else None
            if request is None or data is None:
                return None
            if self._served.get(path, 0) >= request.script.lora_fetches:
                return None
            self._served[path] = self._served.get(path, 0) + 1
            return data

    def find(self, app: str, request_id: str) -> _Request | None:
        with self._lock:
            request = self._requests.get(request_id)
            if request is None or request.app != app or self._script.forget_requests:
                return None
            return request

    def finish(self, request_id: str) -> None:
        """Let the request complete at its next status poll, whatever its script said."""
        with self._lock:
            request = self._requests[request_id]
            request.script = attrs.evolve(request.script, queued_polls=0, running_polls=0)

    def count_poll(self, request: _Request) -> str:
        """The status of a request after one more poll."""
        with self._lock:
            request.polls += 1
            if request.polls <= request.script.queued_polls:
                return "IN_QUEUE"
            return "COMPLETED" if request.completed else "IN_PROGRESS"

    def cancel(self, request: _Request) -> bool:
        """Cancel a request still running; False if it already completed."""
        with self._lock:
            request.cancelled = not request.completed
            return request.cancelled


def signed_headers(
    key: Ed25519PrivateKey,
    body: bytes,
    request_id: str,
    *,
    user_id: str = "fake-user",
    at: float | None = None,
) -> dict[str, str]:
    """fal's webhook headers for a delivery of `body`, signed with `key` at `at` (now)."""
    timestamp = str(int(time.time() if at is None else at))
    message = "\n".join((request_id, user_id, timestamp, hashlib.sha256(body).hexdigest()))
    return {
        "X-Fal-Webhook-Request-Id": request_id,
        "X-Fal-Webhook-User-Id": user_id,
        "X-Fal-Webhook-Timestamp": timestamp,
        "X-Fal-Webhook-Signature": key.sign(message.encode()).hex(),
    }


def _png(request: _Request) -> bytes:
    if request.script.outcome == "nsfw":
        return sample_png({"black": True})
    return sample_png(request.body)


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

    def do_PUT(self) -> None:
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
        if parts.path.startswith("/files/"):
            self._file(fake, script, recorded)
        elif parts.path == JWKS_PATH:
            self._json(200, fake.jwks)
        elif parts.path == FAL_SCHEMA_PATH and self.command == "GET":
            endpoint = recorded.query.get("endpoint_id", [""])[0]
            found = fake.schemas.get(endpoint)
            self._json(*((200, found) if found else (404, {"detail": "Application not found"})))
        elif recorded.headers.get("authorization") != f"Key {fake.api_key}":
            self._json(401, {"detail": "No user found for Key ID and Secret"})
        elif self.command == "POST":
            self._submit(fake, script, recorded)
        elif match := _REQUEST.fullmatch(parts.path):
            self._on_request(fake, script, match["app"], match["id"], match["tail"] or "")
        else:
            self._json(404, {"detail": "Not Found"})

    def _submit(self, fake: FakeFal, script: Script, request: RecordedRequest) -> None:
        endpoint = request.path.strip("/")
        if fake.take_failure("submit", script.fail_submits):
            self._failure(script)
            return
        app = "/".join(endpoint.split("/")[:2])
        request_id = fake.queue(app, request.json(), script)
        if script.submit_delay:
            fake.stopping.wait(script.submit_delay)
        if fake.take_failure("queued", script.fail_submits_after_queueing):
            self._failure(script, {"x-fal-request-id": request_id})
            return
        answer = {"status": "IN_QUEUE", "request_id": request_id, "queue_position": 0}
        if not script.omit_urls:
            answer |= _urls(fake, app, request_id)
        answer["gateway_request_id"] = request_id
        self._json(200, answer, {"x-fal-request-id": request_id})

    def _on_request(
        self, fake: FakeFal, script: Script, app: str, request_id: str, tail: str
    ) -> None:
        request = fake.find(app, request_id)
        if request is None:
            body = {"status": "NOT_FOUND"} if tail else {"detail": "Request not found"}
            self._json(404, body)
        elif self.command == "PUT" and tail == "/cancel":
            cancelled = fake.cancel(request)
            status = "CANCELLATION_REQUESTED" if cancelled else "ALREADY_COMPLETED"
            self._json(202 if cancelled else 400, {"status": status})
        elif self.command == "GET" and tail == "/status":
            if fake.take_failure("poll", script.fail_polls):
                self._failure(script)
            else:
                self._status(fake, request, request_id)
        elif self.command == "GET" and not tail:
            self._result(fake, request, request_id)
        else:
            self._json(405, {"detail": "Method Not Allowed"})

    def _status(self, fake: FakeFal, request: _Request, request_id: str) -> None:
        script = request.script
        status = fake.count_poll(request)
        answer: dict[str, Any] = {"status": status, "request_id": request_id, "logs": None}
        answer |= _urls(fake, request.app, request_id)
        if status == "IN_QUEUE":
            answer["queue_position"] = 0
        elif status == "COMPLETED":
            answer["metrics"] = {"inference_time": 0.42}
            answer |= _completed_error(_outcome(request))
            if script.outcome not in _OUTCOMES:
                answer["status"] = script.outcome
        self._json(200, answer)

    def _result(self, fake: FakeFal, request: _Request, request_id: str) -> None:
        if not request.completed:
            self._json(400, {"detail": "Request is still in progress"})
            return
        outcome, body = _outcome(request), request.body
        if outcome in _ERROR_RESULTS:
            status, answer, headers = _ERROR_RESULTS[outcome](body)
            self._json(status, answer, headers | {"x-fal-request-id": request_id})
            return
        if request.training:
            answer = training_result(fake.base_url, request_id, request.files)
            headers = {"x-fal-request-id": request_id, "x-fal-billable-units": BILLABLE_UNITS}
            self._json(200, answer, headers)
            return
        image = {"url": fake.file_url(request_id), "width": 32, "height": 24}
        image |= {"content_type": "image/png", "file_name": f"{request_id}.png"}
        answer = {
            "images": [image],
            "timings": {"inference": 0.42},
            "seed": body.get("seed"),
            "has_nsfw_concepts": [outcome == "nsfw"],
            "prompt": body.get("prompt"),
        }
        headers = {"x-fal-request-id": request_id, "x-fal-billable-units": BILLABLE_UNITS}
        self._json(200, answer, headers)

    def _file(self, fake: FakeFal, script: Script, request: RecordedRequest) -> None:
        if "authorization" in request.headers:
            self._json(400, {"detail": "credentials must not be sent to the file URL"})
            return
        if named := _FILE.fullmatch(request.path):
            found = fake.serve_file(named["id"], named["name"], request.path)
            if found is None:
                self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
            else:
                self._reply(200, found, "application/octet-stream")
            return
        request_id = request.path.removeprefix("/files/").removesuffix(".png")
        try:
            data = fake.file_bytes(request_id)
        except KeyError:
            data = b""
        if not data or script.expire_files:
            self._reply(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
            return
        self._reply(200, data, "image/png")

    def _failure(self, script: Script, headers: dict[str, str] | None = None) -> None:
        headers = dict(headers or {})
        if script.retry_after is not None:
            headers["Retry-After"] = script.retry_after
        if script.retry_after_in is not None:
            headers["Retry-After"] = formatdate(time.time() + script.retry_after_in, usegmt=True)
        self._json(script.fail_status, {"detail": script.fail_detail}, headers)

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._reply(status, json.dumps(body).encode(), "application/json", headers)

    def _reply(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
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


def _urls(fake: FakeFal, app: str, request_id: str) -> dict[str, str]:
    return {
        "status_url": fake.request_url(app, request_id, "/status"),
        "response_url": fake.request_url(app, request_id),
        "cancel_url": fake.request_url(app, request_id, "/cancel"),
    }


def _outcome(request: _Request) -> str:
    """The script's outcome, or a download error if a training's archive could not be read."""
    if request.training and request.archive is None:
        return "download_error"
    return request.script.outcome


def _completed_error(outcome: str) -> dict[str, Any]:
    if outcome == "download_error":
        return {"error": "Invalid status code: 422"}
    if outcome == "error":
        return {"error": "Request timed out", "error_type": "request_timeout"}
    if outcome in ("input_moderated", "no_media"):
        return {"error": "Invalid status code: 422"}
    return {}


def _detail_422(kind: str, msg: str) -> Any:
    def answer(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        item = {"loc": ["body", "prompt"], "msg": msg, "type": kind, "input": body.get("prompt")}
        return 422, {"detail": [item]}, {"X-Fal-Retryable": "false"}

    return answer


def _timed_out(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    answer = {"detail": "Request timed out", "error_type": "request_timeout"}
    return 504, answer, {"X-Fal-Error-Type": "request_timeout", "X-Fal-Retryable": "false"}


def _download_error(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    item = {
        "loc": ["body", "images_data_url"], "msg": "Failed to download the file.",
        "type": "file_download_error", "input": body.get("images_data_url"),
    }  # fmt: skip
    return 422, {"detail": [item]}, {"X-Fal-Retryable": "false"}


_ERROR_RESULTS = {
    "download_error": _download_error,
    "input_moderated": _detail_422("content_policy_violation", _MODERATION_MSG),
    "no_media": _detail_422("no_media_generated", "No media was generated."),
    "error": _timed_out,
}
_OUTCOMES = frozenset({"images", "nsfw", *_ERROR_RESULTS})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeFal) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (the read-timeout tests) are not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def fake_fal_server(*, api_key: str = API_KEY, **script: Any) -> Iterator[FakeFal]:
    """Run a fake fal queue API on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeFal(Script(**script), api_key)
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-fal", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
