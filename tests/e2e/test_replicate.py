"""Replicate through the real worker on PostgreSQL, Redis and S3, against the fake Replicate.

Each test runs a worker process whose Replicate base URL is the fake's. The fake scripts
each prediction by a marker in its prompt, so one worker plays several scenarios at once.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs, generation_media
from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.catalog import Feature
from genmedia.domain.job import Job
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import all_done, effects, prepare, rows
from tests.integration.fake_bfl import sample_png
from tests.integration.fake_replicate import (
    ALWAYS,
    API_KEY,
    MODEL,
    NSFW_INPUT,
    NSFW_OUTPUT,
    FakeReplicate,
)
from tests.integration.fake_replicate_server import fake_replicate_server

pytestmark = pytest.mark.e2e


def duration(text: str) -> int:
    """Seconds in a `Cancel-After` duration such as "29m57s"."""
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[unit] for n, unit in re.findall(r"(\d+)([hms])", text))


@pytest.fixture
def replicate(stack: Stack) -> Iterator[FakeReplicate]:
    """A fake Replicate the stack's workers use: two polls in progress, then the outcome."""
    with fake_replicate_server(starting_polls=1, processing_polls=1) as fake:
        stack.env.update(
            GENMEDIA_REPLICATE_API_KEY=API_KEY,
            GENMEDIA_REPLICATE_BASE_URL=fake.base_url,
            GENMEDIA_REPLICATE_POLL_AFTER="0.1",
            GENMEDIA_FETCH_ALLOW_PRIVATE="true",  # the fake's outputs are on 127.0.0.1
        )
        yield fake


def add_feature(app: Container) -> int:
    """A feature on the sample catalog's Replicate model, as an operator would add it."""
    with app.uow() as uow:
        model = uow.provider_models.get_by_slug(MODEL)
        assert model is not None
        feature = uow.features.add(Feature(name="Replicate schnell", provider_model_id=model.id))
        uow.commit()
    return feature.id or 0


def submit(app: Container, user: User, feature: int, prompt: str) -> int:
    cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt=prompt)
    return app.submit_request(cmd).id or 0


def only_job(app: Container, request_id: int) -> Job:
    request, _ = app.request_details(request_id)
    (job,) = request.jobs
    return job


def run_worker(stack: Stack, app: Container, jobs: int) -> None:
    """Run one worker until `jobs` jobs have ended."""
    worker = stack.worker("--threads", "4")
    try:
        wait_until(lambda: all_done(app, jobs), 90, f"{jobs} Replicate jobs to end")
    finally:
        assert stop(worker) == 0


def creates_for(fake: FakeReplicate, marker: str) -> list[float]:
    """When each create of a prompt holding `marker` reached the fake."""
    return [
        r.at
        for r in fake.requests_to("/v1/models/")
        if marker in str(r.json()["input"].get("prompt", ""))
    ]


def stored_outputs(app: Container) -> dict[str, bytes]:
    """The bytes stored for each job's first output, by its prediction id."""
    job, media = generation_jobs, generation_media
    query = sa.select(job.c.provider_task_id, media.c.storage_path).join(
        media, media.c.job_id == job.c.id
    )
    return {r.provider_task_id: app.storage().get(r.storage_path) for r in rows(app, query)}


def test_the_sample_template_runs_on_replicate_and_charges_the_completed_jobs(
    stack: Stack, replicate: FakeReplicate
) -> None:
    replicate.script(starting_polls=1, processing_polls=3)
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance
        cmd = SubmitRequest(
            user_id=user.id or 0, template="quick-concept-art", input_metadata={"batch_size": 2}
        )
        request_id = app.submit_request(cmd).id or 0
        run_worker(stack, app, 2)

        request, _ = app.request_details(request_id)
        assert [job.status.value for job in request.jobs] == ["completed", "completed"]
        seconds = ProviderCost(1.25, CostUnit.REPLICATE_PREDICT_SECONDS)
        assert [job.provider_cost for job in request.jobs] == [seconds, seconds]
        metadata = request.jobs[0].output_metadata["provider_metadata"]
        assert metadata["model"] == MODEL
        predictions = replicate.predictions
        assert (replicate.submits, len(predictions)) == (2, 2)
        assert all(p.polls == 5 for p in predictions)
        # Cancel-After is what was left of the job's 30 minutes when it was submitted.
        assert all(1700 < duration(p.cancel_after or "") <= 1800 for p in predictions)
        assert all(p.input["aspect_ratio"] == "1:1" for p in predictions)
        assert stored_outputs(app) == {
            p.id: sample_png({**p.input, "output_index": 0}) for p in predictions
        }
        media, stored, captures, balance = effects(app, user)
        assert (media, stored, captures) == (2, 2, 2)
        assert request.credits_charged == 2 * 3  # feature 1 + template 1 + model 1, per output
        assert balance == before - request.credits_charged


SCENARIOS = {
    "moderate-output": ({"final_status": "failed", "error": NSFW_OUTPUT}, "content_moderated"),
    "moderate-input": ({"final_status": "failed", "error": NSFW_INPUT}, "content_moderated"),
    "no-credit": ({"fail_submits": ALWAYS, "fail_status": 402}, "insufficient_provider_credit"),
    "ambiguous": (
        {"fail_submits": ALWAYS, "fail_status": 502, "create_before_failing": True},
        "submit_outcome_unknown",
    ),
    "lost": ({"forget_predictions": True}, "provider_task_not_found"),
    "expired": ({"expire_outputs": True}, "result_expired"),
}


def test_each_failure_ends_its_job_with_its_code_and_releases_its_hold(
    stack: Stack, replicate: FakeReplicate
) -> None:
    for marker, (script, _) in SCENARIOS.items():
        replicate.script_for(marker, **script)
    with stack.container() as app:
        user = prepare(app)
        feature = add_feature(app)
        before = app.wallet_of(user.id or 0)
        requests = {m: submit(app, user, feature, f"a fox, {m}") for m in SCENARIOS}
        assert app.wallet_of(user.id or 0).held > 0
        run_worker(stack, app, len(SCENARIOS))

        ended = {m: only_job(app, r) for m, r in requests.items()}
        assert {m: (j.status.value, j.error_code) for m, j in ended.items()} == {
            m: ("failed", code) for m, (_, code) in SCENARIOS.items()
        }
        assert "generated output" in (ended["moderate-output"].error_message or "")
        assert "prompt or input" in (ended["moderate-input"].error_message or "")
        # The ambiguous create made a prediction; it was never created a second time.
        assert len(creates_for(replicate, "ambiguous")) == 1
        assert [p.marker for p in replicate.predictions].count("ambiguous") == 1
        assert len(creates_for(replicate, "no-credit")) == 1
        after = app.wallet_of(user.id or 0)
        assert (after.balance, after.held) == (before.balance, 0)
        assert effects(app, user)[:3] == (0, 0, 0)


def test_a_create_told_to_wait_runs_again_no_sooner_than_retry_after_in_either_form(
    stack: Stack, replicate: FakeReplicate
) -> None:
    limited = {"fail_submits": 1, "fail_status": 429, "fail_detail": "Request was throttled."}
    replicate.script_for("wait-seconds", retry_after="2", **limited)
    replicate.script_for("wait-date", retry_after_date_in=3, **limited)
    with stack.container() as app:
        user = prepare(app)
        feature = add_feature(app)
        before = app.wallet_of(user.id or 0).balance
        requests = [
            submit(app, user, feature, f"a fox, {m}") for m in ("wait-seconds", "wait-date")
        ]
        run_worker(stack, app, 2)

        jobs = [only_job(app, r) for r in requests]
        assert [(j.status.value, j.attempts) for j in jobs] == [("completed", 1)] * 2
        first, second = creates_for(replicate, "wait-seconds")
        assert second - first >= 2.0
        first, second = creates_for(replicate, "wait-date")
        assert second - first >= 2.0  # an HTTP-date has whole seconds: 3 s less at most 1
        assert replicate.submits == 4
        charged = sum(app.request_details(r)[0].credits_charged for r in requests)
        assert app.wallet_of(user.id or 0).balance == before - charged
        assert effects(app, user)[:3] == (2, 2, 2)


def test_a_worker_killed_while_its_prediction_runs_finishes_it_from_the_handle_once(
    stack: Stack, replicate: FakeReplicate
) -> None:
    replicate.script(processing_polls=50)
    with stack.container() as app:
        user = prepare(app)
        request_id = submit(app, user, add_feature(app), "a fox in the snow")
        first = stack.worker("--threads", "2")
        job = generation_jobs
        query = sa.select(job.c.provider_task_id).where(job.c.request_id == request_id)
        wait_until(lambda: bool(rows(app, query)[0].provider_task_id), 60, "the prediction")
        stop(first, signal.SIGKILL)
        running = replicate.prediction(rows(app, query)[0].provider_task_id)
        assert running.status() in ("starting", "processing")
        run_worker(stack, app, 1)

        assert only_job(app, request_id).status.value == "completed"
        assert replicate.submits == 1
        assert effects(app, user)[:3] == (1, 1, 1)
