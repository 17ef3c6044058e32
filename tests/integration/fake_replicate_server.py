"""The HTTP side of the fake Replicate: routes, authentication, scripted answers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from tests.integration.fake_bfl import RecordedRequest, sample_png
from tests.integration.fake_fal_training import download
from tests.integration.fake_replicate import (
    API_KEY,
    NOT_FOUND,
    TRAINER,
    TRAINER_VERSION,
    FakeReplicate,
    Prediction,
    Script,
)
from tests.integration.fake_schemas import replicate_model, replicate_version

_BY_MODEL = re.compile(r"/v1/models/([^/]+/[^/]+)/predictions")
_PREDICTION = re.compile(r"/v1/predictions/([^/]+)")
_CANCEL = re.compile(r"/v1/predictions/([^/]+)/cancel")
_MODEL = re.compile(r"/v1/models/([^/]+/[^/]+)")
_VERSION = re.compile(r"/v1/models/([^/]+/[^/]+)/versions/([^/]+)")
_TRAININGS = re.compile(r"/v1/models/([^/]+/[^/]+)/versions/([^/]+)/trainings")
_TRAINING = re.compile(r"/v1/trainings/([^/]+)")
_TRAINING_CANCEL = re.compile(r"/v1/trainings/([^/]+)/cancel")
_WEIGHTS = re.compile(r"/delivery/([a-z0-9]+)/trained_model\.tar")
_DELIVERY = re.compile(r"/delivery/([a-z0-9]+)/out-([0-9]+)\.png")
_BAD_VERSION = {
    "title": "Invalid version",
    "detail": "The specified version does not exist (or perhaps you don't have permission).",
    "status": 422,
}


def _new_id() -> str:
    """An id shaped like Replicate's: 26 lowercase base32 characters."""
    return base64.b32encode(os.urandom(16)).decode().rstrip("=").lower()


def _problem(status: int, title: str, detail: Any) -> dict[str, Any]:
    return {"title": title, "detail": detail, "status": status}


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
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        fake.record(request)
        auth = request.headers.get("authorization")
        if request.path.startswith("/delivery/"):
            self._delivery(fake, request)
        elif auth is None:
            self._json(401, _problem(401, "Unauthenticated", "You did not pass a token"))
        elif auth != f"Bearer {fake.api_key}":
            self._json(401, _problem(401, "Unauthenticated", "You did not pass a valid token"))
        else:
            self._route(fake, request)

    def _route(self, fake: FakeReplicate, request: RecordedRequest) -> None:
        post, path = request.method == "POST", request.path
        by_model = _BY_MODEL.fullmatch(path)
        prediction = _PREDICTION.fullmatch(path)
        cancel = _CANCEL.fullmatch(path)
        if post and path == "/v1/models":
            self._create_model(fake, request)
        elif post and (trainings := _TRAININGS.fullmatch(path)):
            self._train(fake, request, *trainings.groups())
        elif not post and (training := _TRAINING.fullmatch(path)):
            self._get(fake, training.group(1))
        elif post and (stopped := _TRAINING_CANCEL.fullmatch(path)):
            self._cancel(fake, stopped.group(1))
        elif post and path == "/v1/predictions":
            self._create(fake, request, None)
        elif post and by_model:
            self._create(fake, request, by_model.group(1))
        elif not post and prediction:
            self._get(fake, prediction.group(1))
        elif post and cancel:
            self._cancel(fake, cancel.group(1))
        elif not post and (matched := _MODEL.fullmatch(path) or _VERSION.fullmatch(path)):
            self._schema(fake, *matched.groups())
        else:
            self._json(404, NOT_FOUND)

    def _create_model(self, fake: FakeReplicate, request: RecordedRequest) -> None:
        body = request.json()
        name = f"{body.get('owner')}/{body.get('name')}"
        if fake.create_model(name):
            self._json(201, {"owner": body.get("owner"), "name": body.get("name"), **body})
        else:
            self._json(409, _problem(409, "Conflict", "A model with that name already exists"))

    def _train(
        self, fake: FakeReplicate, request: RecordedRequest, trainer: str, version: str
    ) -> None:
        fake.count_submit()
        body = request.json()
        given = body.get("input") if isinstance(body, dict) else None
        if (trainer, version) != (TRAINER, TRAINER_VERSION):
            self._json(404, NOT_FOUND)
        elif body.get("destination") not in fake.destinations or not isinstance(given, dict):
            self._json(422, _problem(422, "Invalid destination", "the model does not exist"))
        else:
            marker, script = fake.script_of(str(given.get("trigger_word", "")))
            archive = download(given.get("input_images"))
            training = Prediction(
                id=_new_id(), marker=marker, model=trainer, version=version, input=given,
                script=script, cancel_after=None, webhook=body.get("webhook"),
                destination=body["destination"], archive=archive,
                weights=b"fake-lora-tar:" + hashlib.sha256(archive or b"").digest(),
            )  # fmt: skip
            if archive is None:  # Replicate fails a training whose files it cannot get
                training.script = attrs.evolve(script, final_status="failed")
            fake.create(training)
            self._json(201, fake.answer(training))

    def _create(self, fake: FakeReplicate, request: RecordedRequest, model: str | None) -> None:
        fake.count_submit()
        try:
            body = request.json()
        except ValueError:
            self._json(400, _problem(400, "Invalid JSON", "the body is not JSON"))
            return
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            self._json(422, _problem(422, "Input validation failed", "- input is required"))
        elif model is None and body.get("version") not in fake.versions:
            self._json(422, _BAD_VERSION)
        elif model is not None and model not in fake.models:
            self._json(404, NOT_FOUND)
        else:
            self._make(fake, request, body, model)

    def _make(
        self, fake: FakeReplicate, request: RecordedRequest, body: dict[str, Any], model: str | None
    ) -> None:
        marker, script = fake.script_of(str(body["input"].get("prompt", "")))
        failing = fake.take_failure("submit", marker, script.fail_submits)
        if failing and not script.create_before_failing:
            self._failure(script)
            return
        prediction = Prediction(
            id=_new_id(),
            marker=marker,
            model=model,
            version=body.get("version"),
            input=body["input"],
            script=script,
            cancel_after=request.headers.get("cancel-after"),
            webhook=body.get("webhook"),
        )
        fake.create(prediction)
        if failing:
            self._failure(script)
            return
        if script.submit_delay:
            fake.stopping.wait(script.submit_delay)
        self._json(201, fake.answer(prediction))

    def _get(self, fake: FakeReplicate, prediction_id: str) -> None:
        found = fake.find(prediction_id)
        if found is None or found.script.forget_predictions:
            self._json(404, NOT_FOUND)
            return
        live = fake.live_script(found.marker)
        if fake.take_failure("poll", found.marker, live.fail_polls):
            self._failure(live)
            return
        if live.poll_delay:
            fake.stopping.wait(live.poll_delay)
        polled = fake.find(prediction_id, poll=True)
        assert polled is not None
        self._json(200, fake.answer(polled))

    def _schema(self, fake: FakeReplicate, model: str, version: str | None = None) -> None:
        """A model (with its latest version) or one of its versions, each with its schema."""
        latest = sorted(fake.versions)[0]
        if model not in fake.models or (version is not None and version not in fake.versions):
            self._json(404, NOT_FOUND)
        elif version is None:
            self._json(200, replicate_model(model, latest, fake.base_url))
        else:
            self._json(200, replicate_version(version))

    def _cancel(self, fake: FakeReplicate, prediction_id: str) -> None:
        found = fake.cancel(prediction_id)
        if found is None:
            self._json(404, NOT_FOUND)
        else:
            self._json(200, fake.answer(found))

    def _delivery(self, fake: FakeReplicate, request: RecordedRequest) -> None:
        if "authorization" in request.headers:
            self._json(400, {"detail": "credentials must not be sent to the delivery URL"})
            return
        if weights := _WEIGHTS.fullmatch(request.path):
            data = fake.serve_weights(weights.group(1))
            if data is None:
                self._reply(404, b"not found", "text/plain")
            else:
                self._reply(200, data, "application/x-tar")
            return
        matched = _DELIVERY.fullmatch(request.path)
        found = fake.find(matched.group(1)) if matched else None
        if matched is None or found is None or int(matched.group(2)) >= found.script.outputs:
            self._reply(404, b"not found", "text/plain")
        elif found.script.expire_outputs:
            self._reply(found.script.expired_status, b"<Error>Expired</Error>", "text/xml")
        else:
            drawn = sample_png({**found.input, "output_index": int(matched.group(2))})
            self._reply(200, drawn, "image/png")

    def _failure(self, script: Script) -> None:
        retry_after = script.retry_after
        if script.retry_after_date_in is not None:
            later = datetime.now(UTC) + timedelta(seconds=script.retry_after_date_in)
            retry_after = format_datetime(later, usegmt=True)
        headers = {"Retry-After": retry_after} if retry_after else {}
        status = script.fail_status
        self._json(status, _problem(status, "Request failed", script.fail_detail), headers)

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeReplicate) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (the read-timeout tests) are not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@contextmanager
def fake_replicate_server(*, api_key: str = API_KEY, **script: Any) -> Iterator[FakeReplicate]:
    """Run a fake Replicate on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeReplicate(Script(**script), api_key)
    server = _Server(fake)
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="fake-replicate",
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
