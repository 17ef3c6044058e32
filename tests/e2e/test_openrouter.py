"""OpenRouter through the real worker on PostgreSQL, Redis and S3, against a loopback fake that
counts completions: stored bytes and one charge, answers without image, refusals (input
moderation, 402), rate limits, and an answer lost after OpenRouter received the request.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.job import Job
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import all_done, prepare
from tests.integration.fake_openrouter import (
    ALWAYS,
    API_KEY,
    COST,
    FakeOpenRouter,
    fake_openrouter_server,
    image_png,
)

pytestmark = pytest.mark.e2e

TEMPLATE = "travel-poster"
MODEL = "google/gemini-2.5-flash-image"
PRICE = 7  # the feature 1 + the template 2 + the provider model 4, for one output


@pytest.fixture
def openrouter(stack: Stack) -> Iterator[FakeOpenRouter]:
    """A fake OpenRouter that the stack's processes are configured to use."""
    with fake_openrouter_server() as fake:
        stack.env.update(
            GENMEDIA_OPENROUTER_API_KEY=API_KEY, GENMEDIA_OPENROUTER_BASE_URL=fake.base_url
        )
        yield fake


def run_one(stack: Stack, app: Container, user: User, **env: str) -> tuple[Job, list[Any]]:
    """Submit one travel poster, run a worker until its job ends; the job and its media."""
    cmd = SubmitRequest(user_id=user.id or 0, template=TEMPLATE, user_prompt="Lisbon trams")
    request_id = app.submit_request(cmd).id or 0
    assert app.wallet_of(user.id or 0).held == PRICE
    worker = stack.worker("--threads", "2", **env)
    try:
        wait_until(lambda: all_done(app, 1), 60, "the job to end")
    finally:
        assert stop(worker) == 0
    request, media = app.request_details(request_id)
    return request.jobs[0], media


def test_an_image_is_stored_from_its_data_url_and_charged_once(
    stack: Stack, openrouter: FakeOpenRouter
) -> None:
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance

        job, media = run_one(stack, app, user)

        assert (job.status.value, job.error_code, job.attempts) == ("completed", None, 1)
        assert job.provider_cost == ProviderCost(COST, CostUnit.USD)
        (request,) = openrouter.completions
        body = request.json()
        assert (body["model"], body["modalities"]) == (MODEL, ["image", "text"])
        assert body["image_config"] == {"aspect_ratio": "2:3"}
        assert "Lisbon trams" in body["messages"][0]["content"]
        (stored,) = media
        assert app.storage().get(stored.storage_path) == image_png(body)
        wallet = app.wallet_of(user.id or 0)
        assert (wallet.balance, wallet.held) == (before - PRICE, 0)


@pytest.mark.parametrize(
    ("answer", "code"), [("refusal", "content_moderated"), ("text", "no_result")]
)
def test_an_answer_without_image_fails_the_job_and_releases_its_hold(
    stack: Stack, openrouter: FakeOpenRouter, answer: str, code: str
) -> None:
    openrouter.script(answer=answer)
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance

        job, media = run_one(stack, app, user)

        assert (job.status.value, job.error_code, job.attempts) == ("failed", code, 1)
        assert media == []
        assert len(openrouter.completions) == 1
        wallet = app.wallet_of(user.id or 0)
        assert (wallet.balance, wallet.held) == (before, 0)


@pytest.mark.parametrize(
    ("status", "code", "stage"),
    [(403, "content_moderated", "input"), (402, "insufficient_provider_credit", None)],
    ids=["input-moderation", "402"],
)
def test_a_refused_request_fails_the_job_once_and_releases_its_hold(
    stack: Stack, openrouter: FakeOpenRouter, status: int, code: str, stage: str | None
) -> None:
    openrouter.script(fail_requests=ALWAYS, fail_status=status)
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance

        job, media = run_one(stack, app, user)

        assert (job.status.value, job.error_code) == ("failed", code)
        assert (job.moderation_stage.value if job.moderation_stage else None) == stage
        assert media == []
        assert len(openrouter.completions) == 1  # a refusal is not asked again
        wallet = app.wallet_of(user.id or 0)
        assert (wallet.balance, wallet.held) == (before, 0)


@pytest.mark.parametrize(
    "retry_after",
    [{"retry_after": "1"}, {"retry_after_date_in": 2}],
    ids=["seconds", "http-date"],
)
def test_a_rate_limit_is_waited_out_and_spends_no_attempt(
    stack: Stack, openrouter: FakeOpenRouter, retry_after: dict[str, Any]
) -> None:
    openrouter.script(fail_requests=2, fail_status=429, **retry_after)
    with stack.container() as app:
        user = prepare(app)

        job, media = run_one(stack, app, user)

        assert (job.status.value, job.attempts, job.max_attempts) == ("completed", 1, 3)
        assert len(media) == 1
        sent = [request.at for request in openrouter.completions]
        assert len(sent) == 3  # two answered 429, the third made the image
        # An HTTP date has whole seconds: "2 s after the answer" may be 1.x s after it.
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(sent))


def test_an_answer_lost_after_openrouter_received_the_request_is_not_asked_again(
    stack: Stack, openrouter: FakeOpenRouter
) -> None:
    openrouter.script(answer_delay=30.0)
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance

        job, media = run_one(stack, app, user, GENMEDIA_OPENROUTER_TIMEOUT="1")

        assert (job.status.value, job.error_code) == ("failed", "submit_outcome_unknown")
        assert media == []
        assert len(openrouter.completions) == 1
        wallet = app.wallet_of(user.id or 0)
        assert (wallet.balance, wallet.held) == (before, 0)


def test_openrouter_is_a_provider_only_once_its_key_is_set(stack: Stack) -> None:
    with stack.container() as app:
        assert "openrouter" not in app.provider_gateways()
    with stack.container(openrouter_api_key=API_KEY) as app:
        assert app.provider_gateways()["openrouter"].name == "openrouter"
