"""LoRA trainings on Replicate end to end (issue #19 §2): a real worker process on
PostgreSQL, Redis and S3 against the loopback fake Replicate, which creates the destination
model, downloads the images' archive from its presigned URL, and serves the trained weights
only once (Replicate's URLs expire). Success, failure, cancel and a worker killed
mid-training."""

from __future__ import annotations

import io
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest

from genmedia.adapters.sql import migrate
from genmedia.application.generation.commands import CancelRequest
from genmedia.entrypoints.container import Container
from tests.e2e.conftest import REDIS_URL
from tests.e2e.stack import Stack, seeded_stack_with_worker, stack_env, stop, wait_until
from tests.e2e.test_fal_training import PRICE, captures, ended, job_of, model_of, train
from tests.e2e.test_trainings import SELFIES
from tests.integration.fake_replicate import API_KEY, TRAINER, TRAINER_VERSION, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server

pytestmark = pytest.mark.e2e

BASE = "black-forest-labs/flux-dev-lora"
DESTINATION = "genmedia-tests/loras"
TRAININGS = f"/v1/models/{TRAINER}/versions/{TRAINER_VERSION}/trainings"


def replicate_env(fake: FakeReplicate) -> dict[str, str]:
    return {
        "GENMEDIA_REPLICATE_API_KEY": API_KEY,
        "GENMEDIA_REPLICATE_BASE_URL": fake.base_url,
        "GENMEDIA_REPLICATE_POLL_AFTER": "0.1",
        "GENMEDIA_REPLICATE_TRAINING_DESTINATION": DESTINATION,
        "GENMEDIA_FETCH_ALLOW_PRIVATE": "true",  # the fake's weights are on 127.0.0.1
    }


@attrs.frozen
class ReplicateStack:
    app: Container
    fake: FakeReplicate
    s3: str


@pytest.fixture(scope="module")
def replicate_stack(
    tmp_path_factory: pytest.TempPathFactory, module_postgres_url: str, s3_endpoint: str
) -> Iterator[ReplicateStack]:
    """One stack, fake Replicate and worker process for the module's trainings."""
    home = tmp_path_factory.mktemp("replicate-training")
    with (
        fake_replicate_server() as fake,
        seeded_stack_with_worker(
            home, module_postgres_url, REDIS_URL, s3_endpoint, replicate_env(fake)
        ) as app,
    ):
        yield ReplicateStack(app, fake, s3_endpoint)


def test_a_replicate_training_makes_its_destination_and_copies_the_weights_before_they_expire(
    replicate_stack: ReplicateStack,
) -> None:
    app, fake = replicate_stack.app, replicate_stack.fake
    fake.script(starting_polls=1, processing_polls=2, final_status="succeeded")
    user, training_id, model_id = train(app, "trained@example.com", BASE)

    assert ended(app, training_id) == "completed"

    training = next(p for p in fake.predictions if p.destination is not None)
    assert job_of(app, training_id).provider_task_id == training.id
    assert DESTINATION in fake.model_creates
    (create,) = [r for r in fake.requests if r.path == TRAININGS]
    body = create.json()
    assert body["destination"] == DESTINATION
    assert (body["input"]["trigger_word"], body["input"]["steps"]) == ("ohwx", 800)
    assert body["input"]["input_images"].startswith(replicate_stack.s3)
    assert training.archive is not None
    with zipfile.ZipFile(io.BytesIO(training.archive)) as opened:
        assert [opened.read(name) for name in opened.namelist()] == SELFIES
    model = model_of(app, model_id)
    assert model.status.value == "completed"
    assert model.weights_url.endswith(".tar")
    assert app.storage().get(model.weights_url) == training.weights
    assert training.weights_served == 1
    weights_url = f"{fake.base_url}/delivery/{training.id}/trained_model.tar"
    assert httpx.get(weights_url).status_code == 404  # expired: our copy is what is left
    assert captures(app) == ["training"]
    assert app.wallet_of(user.id or 0).balance == 1000 - PRICE


def test_a_failed_replicate_training_fails_its_model_and_releases_the_hold(
    replicate_stack: ReplicateStack,
) -> None:
    app, fake = replicate_stack.app, replicate_stack.fake
    fake.script(final_status="failed", error="CUDA out of memory")
    user, training_id, model_id = train(app, "failed@example.com", BASE)

    assert ended(app, training_id) == "failed"

    model = model_of(app, model_id)
    assert model.status.value == "failed"
    assert "CUDA out of memory" in (model.training_error or "")
    wallet = app.wallet_of(user.id or 0)
    assert (wallet.balance, wallet.held) == (1000, 0)


def test_a_cancelled_replicate_training_is_cancelled_at_replicate_and_releases_the_hold(
    replicate_stack: ReplicateStack,
) -> None:
    app, fake = replicate_stack.app, replicate_stack.fake
    fake.script(starting_polls=10_000, final_status="succeeded")
    user, training_id, model_id = train(app, "cancelled@example.com", BASE)
    wait_until(lambda: job_of(app, training_id).provider_task_id is not None, 60, "a task")
    task = job_of(app, training_id).provider_task_id

    app.cancel_request(CancelRequest(user_id=user.id or 0, request_id=training_id))

    assert ended(app, training_id) == "cancelled"
    assert [r.path for r in fake.requests if r.path.endswith("/cancel")] == [
        f"/v1/trainings/{task}/cancel"
    ]
    assert fake.prediction(task).canceled
    assert model_of(app, model_id).status.value == "failed"
    wallet = app.wallet_of(user.id or 0)
    assert (wallet.balance, wallet.held) == (1000, 0)


def test_a_worker_killed_mid_training_at_replicate_resumes_from_the_training_id(
    tmp_path: Path, empty_postgres_url: str, s3_endpoint: str
) -> None:
    migrate.upgrade(empty_postgres_url)
    stack = Stack(
        home=tmp_path, env=stack_env(tmp_path, empty_postgres_url, REDIS_URL, s3_endpoint)
    )
    with fake_replicate_server(starting_polls=5, processing_polls=20) as fake:
        stack.env.update(replicate_env(fake))
        with stack.container() as app:
            user, training_id, model_id = train(app, "killed@example.com", BASE)
            first = stack.worker("--threads", "2")
            try:
                polled = lambda: any(r.path.startswith("/v1/trainings/") for r in fake.requests)  # noqa: E731
                wait_until(polled, 60, "the first poll of the training")
            finally:
                stop(first, signal.SIGKILL)
            assert model_of(app, model_id).status.value == "training"
            second = stack.worker("--threads", "2")
            try:
                assert ended(app, training_id) == "completed"
            finally:
                assert stop(second) == 0
            (training,) = fake.predictions
            assert fake.submits == 1
            assert job_of(app, training_id).provider_task_id == training.id
            weights = model_of(app, model_id).weights_url
            assert app.storage().get(weights) == training.weights
            assert captures(app) == ["training"]
            assert app.wallet_of(user.id or 0).balance == 1000 - PRICE
