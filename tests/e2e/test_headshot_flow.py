"""The headshot flow end to end over real HTTP (issue #19, acceptance; docs/fine-tuning.md):
register, upload 3 selfies, train a portrait model, wait for it, run a batch of 2 reference
images × 4 with the photo options and the trained model, wait for it, download the 8
images, and check the wallet.

It runs twice: on the embedded default (`genmedia serve` alone: SQLite, local files, the
in-process worker, the local provider) and on PostgreSQL, Redis and S3 (moto) with
`genmedia serve` accepting the work and two separate `genmedia worker` processes running it.

"Reserve" and "capture" in this ledger: a reserve is not a ledger entry. Submitting holds
each job's price in a `credit_holds` row and raises the wallet's `held` figure (one guarded
movement for the training, one for the whole batch); completing a job captures its hold,
which posts one debit (reference `job:<id>:capture`) and frees the hold in the same movement.
So the test checks each reserve by the hold rows (one per job, each captured once, for its
full amount) and by `held + total_spent`, which the capture leaves unchanged whenever it runs;
and each capture by the ledger: one debit per job, the training's before the batch's.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from genmedia.adapters.sql.tables import credit_holds
from genmedia.entrypoints.container import build_container
from genmedia.entrypoints.settings import Settings
from tests.e2e.stack import FAST, Stack, stop
from tests.http.served import genmedia, served
from tests.images import encode

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"
POLL_LIMIT = 300.0
TRAINING_PRICE = 20  # the sample catalog's local models' `limits.training.price`
IMAGE_PRICE = 4  # headshot-session 2 + the Image edit feature 1 + local-i2i 1, per image
OPTIONS = {
    "aspectRatio": "9:16", "glasses": "yes", "hairColor": "red", "hairStyle": "curly",
    "backgrounds": ["beach", "city"], "styles": ["cinematic"],
}  # fmt: skip
ENDED = ("completed", "failed", "cancelled")
Holds = Callable[[list[int]], list[dict[str, Any]]]


def selfie(n: int) -> bytes:
    """A small, distinct "selfie": a face and shoulders on a background of its own colour."""
    image = Image.new("RGB", (192, 192), (40 + 60 * n, 110, 170 - 40 * n))
    draw = ImageDraw.Draw(image)
    draw.ellipse((56, 30, 136, 126), fill=(226, 182, 150 - 10 * n))
    draw.ellipse((76, 64, 86, 74), fill=(30, 30, 30))
    draw.ellipse((106, 64, 116, 74), fill=(30, 30, 30))
    draw.rectangle((40, 130, 152, 192), fill=(30 + 50 * n, 40, 90))
    return encode(image, "JPEG", quality=90)


def _until(http: httpx.Client, path: str, done: Callable[[dict[str, Any]], bool]) -> Any:
    deadline = time.monotonic() + POLL_LIMIT
    while True:
        found = http.get(path).json()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def headshot_flow(base: str, holds: Holds) -> None:
    """Run the whole flow against the API at `base`; `holds` reads the hold rows of some
    requests from the database."""
    with httpx.Client(base_url=base, timeout=30) as http:
        account = {"email": "ann@example.com", "password": PASSWORD}
        registered = http.post("/v1/auth/register", json=account)
        assert registered.status_code == 201, registered.text
        http.headers["Authorization"] = f"Bearer {registered.json()['token']}"
        start = http.get("/v1/wallet").json()
        assert (start["held"], start["total_spent"]) == (0, 0)
        selfies = [_upload(http, n) for n in range(3)]
        template = http.get("/v1/templates/headshot-session").json()
        training, model = _train(http, template["provider_model_id"], selfies)
        batch = _batch(http, template["id"], model, [selfies[0], selfies[2]])
        _download(http, base, batch)
        _check_wallet(http, start, training, batch, holds)


def _upload(http: httpx.Client, n: int) -> int:
    files = {"file": (f"selfie-{n}.jpg", selfie(n), "image/jpeg")}
    uploaded = http.post("/v1/media", files=files)
    assert uploaded.status_code == 201, uploaded.text
    return int(uploaded.json()["id"])


def _train(http: httpx.Client, base_model_id: int, selfies: list[int]) -> tuple[Any, Any]:
    """Train a portrait model on the selfies and wait for it: the training and the model."""
    body = {
        "name": "Me", "trigger_word": "ohwx", "type": "portrait", "gender": "female",
        "base_model_id": base_model_id, "media_ids": selfies, "steps": 40,
    }  # fmt: skip
    submitted = http.post("/v1/trainings", json=body)
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["credits_reserved"] == TRAINING_PRICE
    after = http.get("/v1/wallet").json()
    assert after["held"] + after["total_spent"] == TRAINING_PRICE  # held, or captured since
    path = f"/v1/trainings/{submitted.json()['id']}"
    training = _until(http, path, lambda t: t["status"] in ENDED)
    assert (training["status"], training["credits_used"]) == ("completed", TRAINING_PRICE)
    [model] = http.get("/v1/trained-models?scope=mine").json()["items"]
    assert (model["id"], model["status"], model["type"], model["trigger_word"]) == (
        training["trained_model_id"], "completed", "portrait", "ohwx")  # fmt: skip
    return training, model


def _batch(http: httpx.Client, template_id: int, model: Any, references: list[int]) -> Any:
    """Run 2 reference images × 4 with the options and the model, and wait for it."""
    body = {
        "template_id": template_id, "reference_media_ids": references,
        "images_per_reference": 4, "selected_options": OPTIONS,
        "trained_model_id": model["id"], "lora_weight": 0.8,
        "params": {"width": 256, "height": 256},
    }  # fmt: skip
    accepted = http.post("/v1/batches", json=body, headers={"Idempotency-Key": "hs-1"})
    assert accepted.status_code == 202, accepted.text
    price = 8 * (IMAGE_PRICE + model["price"])
    assert (accepted.json()["total_images"], accepted.json()["credits_reserved"]) == (8, price)
    after = http.get("/v1/wallet").json()
    assert after["held"] + after["total_spent"] == TRAINING_PRICE + price
    path = f"/v1/batches/{accepted.json()['id']}"
    batch = _until(http, path, lambda b: b["status"] != "generating")
    assert batch["status"] == "completed", batch
    assert (batch["total_images"], batch["images_done"], batch["credits_used"]) == (8, 8, price)
    assert batch["reference_media_ids"] == references
    for request_id in batch["request_ids"]:
        request = http.get(f"/v1/requests/{request_id}").json()
        assert request["trained_model_id"] == model["id"]
        assert "ohwx" in request["final_prompt"]  # the trigger word joins the prompt
    return batch


def _download(http: httpx.Client, base: str, batch: Any) -> None:
    """The batch's 8 photos: their facts, and real images behind their content links."""
    photos = http.get("/v1/media", params={"batch_id": batch["id"], "limit": 100}).json()
    assert len(photos["items"]) == 8
    for photo in photos["items"]:
        facts = photo["metadata"]  # the options and the reference, as queryable fields
        reference = facts["referenceImageId"]
        assert facts == {**OPTIONS, "referenceImageId": reference, "generationBatchId": batch["id"]}
        link = http.get(f"/v1/media/{photo['id']}/content")
        assert link.is_redirect, link.text
        content = httpx.get(urljoin(base, link.headers["location"]), timeout=30)
        assert content.status_code == 200
        image = Image.open(io.BytesIO(content.content))
        image.verify()
        assert image.width < image.height  # 9:16
    refs = sorted(p["metadata"]["referenceImageId"] for p in photos["items"])
    assert refs == sorted(batch["reference_media_ids"] * 4)


def _check_wallet(
    http: httpx.Client, start: dict[str, Any], training: dict[str, Any],
    batch: dict[str, Any], holds: Holds,
) -> None:  # fmt: skip
    """The training's and the batch's holds each captured once, one debit per job."""
    batch_jobs = {job["id"] for r in batch["requests"] for job in r["jobs"]}
    training_holds = holds([training["id"]])
    assert [(h["amount"], h["captured"], h["status"]) for h in training_holds] == [
        (TRAINING_PRICE, TRAINING_PRICE, "captured")
    ]
    batch_holds = holds(batch["request_ids"])
    assert len(batch_holds) == 8
    assert {h["job_id"] for h in batch_holds} == batch_jobs
    assert {h["status"] for h in batch_holds} == {"captured"}
    assert sum(h["captured"] for h in batch_holds) == batch["credits_used"]

    entries = http.get("/v1/wallet/transactions", params={"limit": 100}).json()["items"]
    debits = sorted((e for e in entries if e["type"] == "debit"), key=lambda e: e["id"])
    assert [e["kind"] for e in entries if e["type"] == "credit"] == ["bonus"]
    [first, *rest] = debits
    assert (first["kind"], first["amount"], first["related"]["request_id"]) == (
        "training", TRAINING_PRICE, training["id"])  # fmt: skip
    assert first["reference_id"] == f"job:{training_holds[0]['job_id']}:capture"
    assert first["related"]["trained_model_id"] == training["trained_model_id"]
    assert {e["kind"] for e in rest} == {"edit"}
    assert sorted(e["related"]["job_id"] for e in rest) == sorted(batch_jobs)
    assert sorted(e["reference_id"] for e in rest) == sorted(f"job:{j}:capture" for j in batch_jobs)
    assert {e["related"]["request_id"] for e in rest} == set(batch["request_ids"])
    assert {e["related"]["trained_model_id"] for e in rest} == {training["trained_model_id"]}
    assert sum(e["amount"] for e in rest) == batch["credits_used"]

    spent = TRAINING_PRICE + batch["credits_used"]
    end = http.get("/v1/wallet").json()
    assert (end["balance"], end["held"], end["total_spent"]) == (start["balance"] - spent, 0, spent)


def _holds_reader(engine: sa.Engine) -> Holds:
    def holds(request_ids: list[int]) -> list[dict[str, Any]]:
        query = sa.select(credit_holds).where(credit_holds.c.request_id.in_(request_ids))
        with engine.connect() as connection:
            found = connection.execute(query.order_by(credit_holds.c.id)).mappings()
            return [{**row, "status": str(row["status"].value)} for row in found]

    return holds


def test_the_headshot_flow_runs_over_http_on_genmedia_serve_alone(tmp_path: Path) -> None:
    env = {"GENMEDIA_HOME": str(tmp_path / "home"), **FAST}
    genmedia("db", "upgrade", env=env)
    genmedia("seed", env=env)
    container = build_container(Settings.from_env(env))
    try:
        with served(env, tmp_path / "serve.log") as server:
            headshot_flow(server.base, _holds_reader(container.engine()))
    finally:
        container.shutdown_resources()
    assert "with the in-process worker" in (tmp_path / "serve.log").read_text()


def test_the_headshot_flow_runs_on_postgresql_redis_and_s3_with_separate_workers(
    stack: Stack,
) -> None:
    with stack.container() as container:
        container.seed_catalog()
        workers = [stack.worker("--threads", "2") for _ in range(2)]
        try:
            with served(stack.env, stack.home / "serve.log") as server:
                headshot_flow(server.base, _holds_reader(container.engine()))
        finally:
            for worker in workers:
                stop(worker)
    assert "API only" in (stack.home / "serve.log").read_text()
