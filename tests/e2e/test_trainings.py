"""Trainings end to end (issue #19): over HTTP on the embedded default (`genmedia serve`
alone), with "the LoRA matters" measured on the images it makes; and on PostgreSQL, Redis
and S3 with worker processes, one killed mid-training."""

from __future__ import annotations

import io
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import numpy as np
import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from genmedia.adapters.providers.local import LocalProvider
from genmedia.adapters.sql.tables import generation_jobs, trained_models, wallet_transactions
from genmedia.application.media.uploads import UploadMedia
from genmedia.application.trainings.commands import SubmitTraining
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import prepare, rows
from tests.http.served import genmedia, served
from tests.images import encode

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
POLL_LIMIT = 120.0


def selfie(shade: int) -> bytes:
    """A teal picture with orange stripes: far from the colours a "red sunset" is drawn in."""
    image = Image.new("RGB", (160, 160), (20, 140 + shade, 130))
    draw = ImageDraw.Draw(image)
    for x in range(0, 160, 14):
        draw.line((x, 0, x, 160), fill=(240, 120, 30), width=3)
    return encode(image, "JPEG", quality=95)


SELFIES = [selfie(shade) for shade in (0, 15, 30)]


def mean_colour(images: list[bytes]) -> Any:
    pixels = [np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), float) for data in images]
    return np.concatenate([p.reshape(-1, 3) for p in pixels]).mean(axis=0)


def _until(
    http: httpx.Client, me: dict[str, str], path: str, done: tuple[str, ...]
) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_LIMIT
    while time.monotonic() < deadline:
        found: dict[str, Any] = http.get(path, headers=me).json()
        if found["status"] in done:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{path} did not finish: {found}")


def _register(http: httpx.Client, email: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD}
    registered = http.post("/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    return {"Authorization": f"Bearer {registered.json()['token']}"}


def _upload(http: httpx.Client, me: dict[str, str], data: bytes, name: str) -> int:
    answer = http.post("/v1/media", files={"file": (name, data, "image/jpeg")}, headers=me)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _generate(http: httpx.Client, me: dict[str, str], feature: int, **extra: Any) -> Any:
    body = {
        "feature_id": feature,
        "user_prompt": "a red sunset over the hills",
        "input_metadata": {"seed": 11},
        "params": {"width": 192, "height": 192},
        **extra,
    }
    submitted = http.post("/v1/requests", json=body, headers=me)
    assert submitted.status_code == 202, submitted.text
    request = _until(http, me, f"/v1/requests/{submitted.json()['id']}", ("completed", "failed"))
    assert request["status"] == "completed", request
    link = http.get(f"/v1/media/{request['media'][0]['id']}/content", headers=me)
    return httpx.get(urljoin(str(http.base_url), link.headers["location"]), timeout=30).content


def _train(http: httpx.Client, me: dict[str, str], base_model_id: int) -> dict[str, Any]:
    media_ids = [_upload(http, me, data, f"selfie-{n}.jpg") for n, data in enumerate(SELFIES)]
    body = {
        "name": "Stripes", "trigger_word": "zxq", "type": "portrait", "gender": "female",
        "base_model_id": base_model_id, "media_ids": media_ids, "steps": 40,
    }  # fmt: skip
    submitted = http.post("/v1/trainings", json=body, headers=me)
    assert submitted.status_code == 202, submitted.text
    return _until(http, me, f"/v1/trainings/{submitted.json()['id']}", ("completed", "failed"))


def _refused(http: httpx.Client, me: dict[str, str], feature: int, model_id: int) -> None:
    before = http.get("/v1/wallet", headers=me).json()
    body = {"feature_id": feature, "user_prompt": "x", "trained_model_id": model_id}
    answer = http.post("/v1/requests", json=body, headers=me)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["trained_model_id"]
    assert http.get("/v1/wallet", headers=me).json() == before


def test_a_model_trained_over_http_on_the_embedded_default_pulls_generations_towards_it(
    tmp_path: Path,
) -> None:
    env = {"GENMEDIA_HOME": str(tmp_path)}
    genmedia("db", "upgrade", env=env)
    genmedia("seed", env=env)
    with served(env, tmp_path / "serve.log") as server, httpx.Client(base_url=server.base) as http:
        me = _register(http, "ann@example.com")
        models = http.get("/v1/provider-models").json()["items"]
        base = next(m["id"] for m in models if m["model_slug"] == "local-t2i")
        feature = next(f["id"] for f in http.get("/v1/features").json()["items"]
                       if f["name"] == "Text to image")  # fmt: skip
        training = _train(http, me, base)
        assert training["status"] == "completed", training
        [model] = http.get("/v1/trained-models?scope=mine", headers=me).json()["items"]
        assert (model["id"], model["status"]) == (training["trained_model_id"], "completed")
        preview = httpx.get(urljoin(server.base, model["preview_image_url"]), timeout=30)
        assert Image.open(io.BytesIO(preview.content)).size == (256, 256)

        # The LoRA matters: the same prompt and seed, without the model and at two weights.
        target = mean_colour(SELFIES)
        made = [
            _generate(http, me, feature),
            _generate(http, me, feature, trained_model_id=model["id"], lora_weight=0.5),
            _generate(http, me, feature, trained_model_id=model["id"], lora_weight=1.0),
        ]
        distances = [float(np.linalg.norm(mean_colour([data]) - target)) for data in made]
        assert distances[0] > distances[1] > distances[2], distances
        assert distances[2] < distances[0] / 4, distances

        entries = http.get("/v1/wallet/transactions?limit=100", headers=me).json()["items"]
        kinds = [(e["kind"], e["related"].get("trained_model_id")) for e in entries
                 if e["type"] == "debit"]  # fmt: skip
        assert kinds.count(("training", model["id"])) == 1
        assert kinds.count(("generation", model["id"])) == 2

        # Someone else's private model, and a failed one, are refused with nothing held.
        bob = _register(http, "bob@example.com")
        _refused(http, bob, feature, model["id"])
        media_ids = [_upload(http, bob, SELFIES[0], "one.jpg")]
        body = {"name": "B", "trigger_word": "qqz", "base_model_id": base, "media_ids": media_ids}
        submitted = http.post("/v1/trainings", json=body, headers=bob).json()
        http.post(f"/v1/requests/{submitted['id']}/cancel", headers=bob)
        _until(http, bob, f"/v1/trainings/{submitted['id']}", ("completed", "cancelled"))
        failed = http.get("/v1/trained-models?scope=mine", headers=bob).json()["items"][0]
        if failed["status"] == "failed":  # the cancel came before the training finished
            _refused(http, bob, feature, failed["id"])


def test_a_worker_killed_mid_training_leaves_it_to_the_next_with_no_second_submit(
    stack: Stack,
) -> None:
    polls = {"GENMEDIA_LOCAL_ASYNC_POLLS": "15"}
    with stack.container(local_async_polls=15) as app:
        user = prepare(app)
        uploads = [
            app.upload_media(UploadMedia(user_id=user.id or 0, filename=f"{n}.jpg", content=[d]))
            for n, d in enumerate(SELFIES)
        ]
        training = app.submit_training(
            SubmitTraining(
                user_id=user.id or 0, name="Stripes", trigger_word="zxq", type="style",
                media_ids=[m.id or 0 for m in uploads],
            )
        )  # fmt: skip
        handle = sa.select(generation_jobs.c.provider_task_id, generation_jobs.c.status).where(
            generation_jobs.c.request_id == training.id
        )
        first = stack.worker("--threads", "2", **polls)
        try:
            wait_until(lambda: rows(app, handle)[0].provider_task_id is not None, 60, "a task")
        finally:
            stop(first, signal.SIGKILL)
        task_id = rows(app, handle)[0].provider_task_id
        model = sa.select(trained_models).where(trained_models.c.id == training.trained_model_id)
        assert rows(app, model)[0].status.value == "training"
        second = stack.worker("--threads", "2", **polls)
        try:
            wait_until(lambda: rows(app, handle)[0].status.value == "completed", 90, "the training")
        finally:
            stop(second)
        trained = rows(app, model)[0]
        assert trained.status.value == "completed"
        assert app.storage().exists(trained.weights_url)
        assert app.storage().exists(trained.config_url)
        assert LocalProvider(task_dir=stack.home / "local-provider").submits(task_id) == 1
        captures = sa.select(wallet_transactions.c.kind).where(
            wallet_transactions.c.reference_id.like("job:%:capture")
        )
        assert [row.kind.value for row in rows(app, captures)] == ["training"]
        assert app.wallet_of(user.id or 0).balance == 1000 - 20
