"""LoRA trainings on fal end to end (issue #19 §2): a real worker process on PostgreSQL,
Redis and S3 against the loopback fake fal, which downloads the images' archive from its
presigned URL and serves the LoRA it makes only once (fal's URLs expire). Success, failure,
cancel, a worker killed mid-training, and a generation with the trained model."""

from __future__ import annotations

import io
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import generation_jobs, trained_models, wallet_transactions
from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.media.uploads import UploadMedia
from genmedia.application.trainings.commands import SubmitTraining
from genmedia.domain.catalog import Feature
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container
from tests.e2e.conftest import REDIS_URL
from tests.e2e.stack import Stack, seeded_stack_with_worker, stack_env, stop, wait_until
from tests.e2e.test_fal_provider import fal_env
from tests.e2e.test_production import prepare, rows
from tests.e2e.test_trainings import SELFIES
from tests.integration.fake_fal import FakeFal, fake_fal_server
from tests.integration.fake_fal_training import CONFIG_NAME, WEIGHTS_NAME

pytestmark = pytest.mark.e2e

BASE = "fal-ai/flux-lora"
TRAINER = "fal-ai/flux-lora-fast-training"
PRICE = 200  # the sample catalog's price of a training on fal-ai/flux-lora
ENDED = ("completed", "failed", "cancelled")


@attrs.frozen
class FalStack:
    app: Container
    fal: FakeFal
    s3: str  # the S3 endpoint, whose presigned URLs fal is handed


@pytest.fixture(scope="module")
def fal_stack(
    tmp_path_factory: pytest.TempPathFactory, module_postgres_url: str, s3_endpoint: str
) -> Iterator[FalStack]:
    """One stack, fake fal and worker process for the module's trainings."""
    home = tmp_path_factory.mktemp("fal-training")
    with (
        fake_fal_server() as fal,
        seeded_stack_with_worker(
            home, module_postgres_url, REDIS_URL, s3_endpoint, fal_env(fal)
        ) as app,
    ):
        yield FalStack(app, fal, s3_endpoint)


def train(app: Container, email: str, base_slug: str = BASE) -> tuple[User, int, int]:
    """Upload the selfies for a new user and submit a training on the base model (fal's by
    default); the user, the training's id and the model's."""
    user = prepare(app, email=email, credits=1000)
    uploads = [
        app.upload_media(UploadMedia(user_id=user.id or 0, filename=f"{n}.jpg", content=[data]))
        for n, data in enumerate(SELFIES)
    ]
    with app.uow() as uow:
        base = uow.provider_models.get_by_slug(base_slug)
    assert base is not None
    training = app.submit_training(
        SubmitTraining(
            user_id=user.id or 0, name="Me", trigger_word="ohwx", type="portrait",
            gender="female", base_model_id=base.id, media_ids=[m.id or 0 for m in uploads],
            steps=800,
        )
    )  # fmt: skip
    return user, training.id, training.trained_model_id


def job_of(app: Container, training_id: int) -> sa.Row:  # type: ignore[type-arg]
    query = sa.select(generation_jobs).where(generation_jobs.c.request_id == training_id)
    return rows(app, query)[0]


def model_of(app: Container, model_id: int) -> sa.Row:  # type: ignore[type-arg]
    return rows(app, sa.select(trained_models).where(trained_models.c.id == model_id))[0]


def ended(app: Container, training_id: int) -> str:
    wait_until(lambda: job_of(app, training_id).status.value in ENDED, 60, "the training")
    return str(job_of(app, training_id).status.value)


def captures(app: Container) -> list[str]:
    query = sa.select(wallet_transactions.c.kind, wallet_transactions.c.reference_id)
    return [r.kind.value for r in rows(app, query) if r.reference_id.endswith(":capture")]


def test_a_fal_training_downloads_the_archive_and_its_lora_is_copied_before_it_expires(
    fal_stack: FalStack,
) -> None:
    app, fal = fal_stack.app, fal_stack.fal
    fal.reset(queued_polls=1, running_polls=2)
    user, training_id, model_id = train(app, "trained@example.com")

    assert ended(app, training_id) == "completed"

    (request_id,) = fal.request_ids
    (submit,) = fal.submits
    assert submit.path == f"/{TRAINER}"
    body = submit.json()
    assert (body["trigger_word"], body["steps"], body["create_masks"]) == ("ohwx", 800, True)
    # fal downloaded the images, in order, from our storage's presigned URL.
    assert body["images_data_url"].startswith(fal_stack.s3)
    archive = fal.request(request_id).archive
    assert archive is not None
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        assert [opened.read(name) for name in opened.namelist()] == SELFIES
    # The LoRA and config were copied into our storage; fal's URLs have expired since.
    model = model_of(app, model_id)
    assert model.status.value == "completed"
    assert model.weights_url.endswith(".safetensors")
    files = fal.request(request_id).files
    assert app.storage().get(model.weights_url) == files[WEIGHTS_NAME]
    assert app.storage().get(model.config_url) == files[CONFIG_NAME]
    lora_path = f"/files/{request_id}/{WEIGHTS_NAME}"
    assert fal.served(lora_path) == 1
    assert httpx.get(fal.base_url + lora_path).status_code == 404
    assert model.training_credits_used == PRICE
    assert captures(app) == ["training"]
    assert app.wallet_of(user.id or 0).balance == 1000 - PRICE

    # A generation with the trained model hands fal a URL of our copy, which fal can read.
    with app.uow() as uow:
        base = uow.provider_models.get_by_slug(BASE)
        feature = uow.features.add(Feature(name="fal LoRA", provider_model_id=base.id))
        uow.commit()
    cmd = SubmitRequest(
        user_id=user.id or 0, feature_id=feature.id, user_prompt="at the beach",
        trained_model_id=model_id, lora_weight=0.8,
    )  # fmt: skip
    generation = app.submit_request(cmd).id or 0
    assert ended(app, generation) == "completed"
    (_, used) = fal.request_ids
    (lora,) = fal.request(used).body["loras"]
    assert lora["scale"] == 0.8
    assert lora["path"].startswith(fal_stack.s3)
    assert fal.request(used).loras == [files[WEIGHTS_NAME]]
    assert fal.request(used).body["prompt"].startswith("ohwx")


def test_a_failed_fal_training_fails_its_model_and_releases_the_hold(
    fal_stack: FalStack,
) -> None:
    app, fal = fal_stack.app, fal_stack.fal
    fal.reset(outcome="error")
    user, training_id, model_id = train(app, "failed@example.com")

    assert ended(app, training_id) == "failed"

    model = model_of(app, model_id)
    assert (model.status.value, model.weights_url) == ("failed", None)
    assert "Request timed out" in (model.training_error or "")
    wallet = app.wallet_of(user.id or 0)
    assert (wallet.balance, wallet.held) == (1000, 0)
    assert len(fal.submits) == 1


def test_a_cancelled_fal_training_is_cancelled_at_fal_and_releases_the_hold(
    fal_stack: FalStack,
) -> None:
    app, fal = fal_stack.app, fal_stack.fal
    fal.reset(queued_polls=10_000)
    user, training_id, model_id = train(app, "cancelled@example.com")
    wait_until(lambda: job_of(app, training_id).provider_task_id is not None, 60, "a task")

    app.cancel_request(CancelRequest(user_id=user.id or 0, request_id=training_id))

    assert ended(app, training_id) == "cancelled"
    (request_id,) = fal.request_ids
    cancels = [r for r in fal.http if r.method == "PUT" and r.path.endswith("/cancel")]
    assert [r.path for r in cancels] == [f"/{TRAINER}/requests/{request_id}/cancel"]
    assert fal.cancelled(request_id)
    assert model_of(app, model_id).status.value == "failed"
    wallet = app.wallet_of(user.id or 0)
    assert (wallet.balance, wallet.held) == (1000, 0)


def test_a_worker_killed_mid_training_at_fal_leaves_it_to_the_next_with_no_second_submit(
    tmp_path: Path, empty_postgres_url: str, s3_endpoint: str
) -> None:
    migrate.upgrade(empty_postgres_url)
    stack = Stack(
        home=tmp_path, env=stack_env(tmp_path, empty_postgres_url, REDIS_URL, s3_endpoint)
    )
    with fake_fal_server(queued_polls=15, running_polls=10) as fal:
        stack.env.update(fal_env(fal))
        with stack.container() as app:
            user, training_id, model_id = train(app, "killed@example.com")
            first = stack.worker("--threads", "2")
            try:
                polled = lambda: any(r.path.endswith("/status") for r in fal.http)  # noqa: E731
                wait_until(polled, 60, "the first status poll")
            finally:
                stop(first, signal.SIGKILL)
            assert model_of(app, model_id).status.value == "training"
            second = stack.worker("--threads", "2")
            try:
                assert ended(app, training_id) == "completed"
            finally:
                assert stop(second) == 0
            (request_id,) = fal.request_ids
            assert len(fal.submits) == 1
            assert job_of(app, training_id).provider_task_id == request_id
            weights = model_of(app, model_id).weights_url
            assert app.storage().get(weights) == fal.request(request_id).files[WEIGHTS_NAME]
            assert captures(app) == ["training"]
            assert app.wallet_of(user.id or 0).balance == 1000 - PRICE
