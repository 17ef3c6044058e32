"""A fake Replicate API on a loopback port, speaking Replicate's predictions protocol.

POST /v1/models/<owner>/<name>/predictions (an official model) or POST /v1/predictions
(with `version`), with `Authorization: Bearer`, answers 201 with a prediction whose `urls`
point back here; GET `urls.get` answers `starting`, then `processing`, a scripted number of
times, then the final status: `succeeded` with output URLs under /delivery/ on this server
(small PNGs drawn from the input), `failed` with an error, `canceled`, `aborted`, or any
string. POST `urls.cancel` cancels. Failures (with Retry-After), creates that fail after
the prediction was made, forgotten predictions, removed and expired outputs can be
scripted for every prediction, or for those whose prompt holds a marker
(`script_for`). GET /v1/models/<owner>/<name>[/versions/<id>] answers the model (with its
latest version) or the version, each with Cog's `openapi_schema` (see fake_schemas).
Every request is recorded and every create counted; `webhook_delivery`
signs a prediction as Replicate's webhooks do (Standard Webhooks). Trainings: POST
/v1/models creates a destination model (409 if it exists); POST
/v1/models/<owner>/<name>/versions/<TRAINER_VERSION>/trainings downloads `input.input_images`
(as Replicate does) and makes a training, got at /v1/trainings/<id> and cancelled at its
/cancel, that succeeds with `output.weights` under /delivery/, served `weights_fetches`
times and then expired (404). This module holds the fake's state; `fake_replicate_server`
serves it over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from typing import Any

import attrs

from tests.integration.fake_bfl import RecordedRequest

API_KEY = "r8_fake-token-0123456789abcdef"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"the fake replicate webhook key!!").decode()
MODEL = "black-forest-labs/flux-schnell"
VERSION = hashlib.sha256(b"flux-schnell").hexdigest()
TRAINER = "ostris/flux-dev-lora-trainer"
TRAINER_VERSION = "e440909d3512c31646ee2e0c7d6f6f4923224863a6a10c494606e79fb5844497"
ALWAYS = sys.maxsize
NSFW_OUTPUT = "NSFW content detected. Try running it again, or try a different prompt."
NSFW_INPUT = "Your prompt was flagged as sensitive content by the safety filter."
NOT_FOUND = {"title": "Not found", "detail": "Not found.", "status": 404}


@attrs.frozen(kw_only=True)
class Script:
    """How the fake treats a create and the prediction it makes.

    fail_submits / fail_polls: how many creates / gets answer `fail_status` (ALWAYS for
    all), with `fail_detail` and `retry_after` as the Retry-After header (or, with
    `retry_after_date_in`, an HTTP-date that many seconds after the answer); with
    `create_before_failing` a failing create makes its prediction first (an ambiguous create).
    starting_polls / processing_polls: how many gets answer starting, then processing.
    A prediction keeps the script it was created with, but for `fail_polls` and
    `poll_delay`, which are read from the script as it is at each get.
    final_status: "succeeded", "failed" (with `error`), "canceled", "aborted", or any string.
    outputs / output_as_list: how many output URLs, as a list or (one) as a plain string.
    data_removed: succeeded, but the output is null and data_removed true (after 1 h).
    forget_predictions: gets answer 404. expire_outputs: outputs answer `expired_status`.
    weights_fetches: how many times a training's weights are served before they expire.
    """

    fail_submits: int = 0
    fail_polls: int = 0
    fail_status: int = 503
    fail_detail: Any = "Service Unavailable"
    retry_after: str | None = None
    retry_after_date_in: float | None = None
    create_before_failing: bool = False
    starting_polls: int = 1
    processing_polls: int = 1
    final_status: str = "succeeded"
    error: str | None = "the model crashed"
    outputs: int = 1
    output_as_list: bool = True
    data_removed: bool = False
    predict_time: float | None = 1.25
    forget_predictions: bool = False
    expire_outputs: bool = False
    expired_status: int = 404
    submit_delay: float = 0.0
    poll_delay: float = 0.0
    weights_fetches: int = 1


@attrs.define
class Prediction:
    """One prediction the fake made."""

    id: str
    marker: str
    model: str | None
    version: str | None
    input: dict[str, Any]
    script: Script
    cancel_after: str | None
    webhook: str | None
    polls: int = 0
    canceled: bool = False
    # A training: its destination, the archive it downloaded and the weights it made.
    destination: str | None = None
    archive: bytes | None = None
    weights: bytes = b""
    weights_served: int = 0

    @property
    def kind(self) -> str:
        return "predictions" if self.destination is None else "trainings"

    def status(self) -> str:
        """The status after the polls so far."""
        if self.canceled:
            return "canceled"
        if self.polls <= self.script.starting_polls:
            return "starting"
        if self.polls <= self.script.starting_polls + self.script.processing_polls:
            return "processing"
        return self.script.final_status


class FakeReplicate:
    """The fake's state: its scripts, predictions and the requests it received."""

    def __init__(self, script: Script, api_key: str) -> None:
        self.api_key = api_key
        self.base_url = ""
        self.models = {MODEL}
        self.versions = {VERSION}
        self._script = script
        self._marked: dict[str, Script] = {}
        self._failures: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._predictions: dict[str, Prediction] = {}
        self.submits = 0
        self.destinations: set[str] = set()
        self.model_creates: list[str] = []
        self.stopping = threading.Event()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def script(self, **changes: Any) -> None:
        """Change the script of every prediction; failure counters start again from zero."""
        with self._lock:
            self._script = attrs.evolve(self._script, **changes)
            self._failures.clear()

    def script_for(self, marker: str, **changes: Any) -> None:
        """Script the creates whose prompt holds `marker`, from the current script."""
        with self._lock:
            self._marked[marker] = attrs.evolve(self._script, **changes)

    def prediction(self, prediction_id: str) -> Prediction:
        with self._lock:
            return self._predictions[prediction_id]

    def finish(self, prediction_id: str) -> None:
        """Let the prediction end at its next get, whatever its script said."""
        with self._lock:
            held = self._predictions[prediction_id]
            held.script = attrs.evolve(held.script, starting_polls=0, processing_polls=0)

    @property
    def predictions(self) -> list[Prediction]:
        with self._lock:
            return list(self._predictions.values())

    def output_url(self, prediction_id: str, index: int = 0) -> str:
        return f"{self.base_url}/delivery/{prediction_id}/out-{index}.png"

    def webhook_delivery(
        self, prediction_id: str, *, timestamp: int | None = None, delivery_id: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body of a webhook about the prediction, signed with WEBHOOK_SECRET."""
        body = json.dumps(self.answer(self.prediction(prediction_id))).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        msg_id = delivery_id or f"msg_{prediction_id}_{stamp}"
        key = base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))
        mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": stamp,
            "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        }
        return headers, body

    # --- called by the handler ---

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def script_of(self, prompt: str) -> tuple[str, Script]:
        """The marker a prompt holds ("" for none) and its script."""
        with self._lock:
            for marker, script in self._marked.items():
                if marker in prompt:
                    return marker, script
            return "", self._script

    def live_script(self, marker: str) -> Script:
        """The script of `marker` ("" for none) as it is now."""
        with self._lock:
            return self._marked.get(marker, self._script) if marker else self._script

    def take_failure(self, kind: str, marker: str, allowed: int) -> bool:
        with self._lock:
            taken = self._failures.get((kind, marker), 0)
            if taken < allowed:
                self._failures[(kind, marker)] = taken + 1
                return True
            return False

    def count_submit(self) -> None:
        with self._lock:
            self.submits += 1

    def create(self, prediction: Prediction) -> None:
        with self._lock:
            self._predictions[prediction.id] = prediction

    def find(self, prediction_id: str, *, poll: bool = False) -> Prediction | None:
        with self._lock:
            found = self._predictions.get(prediction_id)
            if found is not None and poll:
                found.polls += 1
            return found

    def create_model(self, name: str) -> bool:
        """Create a destination model; False if it exists."""
        with self._lock:
            self.model_creates.append(name)
            if name in self.destinations:
                return False
            self.destinations.add(name)
            return True

    def serve_weights(self, training_id: str) -> bytes | None:
        """A succeeded training's weights, unless they have expired (served their count)."""
        with self._lock:
            found = self._predictions.get(training_id)
            if found is None or found.status() != "succeeded" or found.destination is None:
                return None
            if found.weights_served >= found.script.weights_fetches:
                return None
            found.weights_served += 1
            return found.weights

    def cancel(self, prediction_id: str) -> Prediction | None:
        with self._lock:
            found = self._predictions.get(prediction_id)
            if found is not None and found.status() in ("starting", "processing"):
                found.canceled = True
            return found

    def answer(self, prediction: Prediction) -> dict[str, Any]:
        """The prediction as Replicate's API shows it."""
        with self._lock:
            status = prediction.status()
        url = f"{self.base_url}/v1/{prediction.kind}/{prediction.id}"
        answer: dict[str, Any] = {
            "id": prediction.id,
            "model": prediction.model or "someone/some-model",
            "version": prediction.version or "hidden",
            "input": prediction.input,
            "logs": "",
            "output": None,
            "error": None,
            "status": status,
            "source": "api",
            "data_removed": False,
            "created_at": "2025-06-01T12:00:00.000000Z",
            "metrics": {},
            "urls": {
                "get": url,
                "cancel": url + "/cancel",
                "web": f"https://replicate.com/p/{prediction.id}",
                "stream": f"https://stream.replicate.com/v1/files/{prediction.id}",
            },
        }
        return answer | _ending(self, prediction, status)


def _ending(fake: FakeReplicate, prediction: Prediction, status: str) -> dict[str, Any]:
    """What a prediction in `status` adds to its answer."""
    script = prediction.script
    if status in ("starting", "processing"):
        return {}
    ended: dict[str, Any] = {"completed_at": "2025-06-01T12:00:03.000000Z"}
    if script.predict_time is not None:
        ended["metrics"] = {"predict_time": script.predict_time, "total_time": 3.1}
    if status == "failed":
        ended["error"] = script.error
    if status == "succeeded" and script.data_removed:
        ended |= {"output": None, "data_removed": True}
    elif status == "succeeded" and prediction.destination is not None:
        weights = f"{fake.base_url}/delivery/{prediction.id}/trained_model.tar"
        made = f"{prediction.destination}:{hashlib.sha256(prediction.weights).hexdigest()}"
        ended["output"] = {"version": made, "weights": weights}
    elif status == "succeeded":
        urls = [fake.output_url(prediction.id, i) for i in range(script.outputs)]
        ended["output"] = urls if script.output_as_list else urls[0]
    return ended
