"""fal.ai end to end: the sample fal template run by a real worker process on PostgreSQL,
Redis and S3 against the loopback fake fal queue API, for each scenario of providers.md
§8.13 that applies to fal; each ends in the right job status and error code, wallet
outcome (captured once, or released) and stored bytes, with submits counted.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql import migrate
from genmedia.adapters.sql.tables import wallet_transactions
from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.job import Job
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.user import User
from genmedia.domain.wallet import Wallet
from genmedia.entrypoints.container import Container
from tests.e2e.conftest import REDIS_URL
from tests.e2e.stack import Stack, seeded_stack_with_worker, stack_env, stop, wait_until
from tests.e2e.test_production import prepare, rows
from tests.integration.fake_fal import ALWAYS, API_KEY, BILLABLE_UNITS, FakeFal, fake_fal_server

pytestmark = pytest.mark.e2e

TEMPLATE = "fal-golden-hour"
TERMINAL = ("completed", "failed", "cancelled")
MODERATION_DETAIL = [
    {
        "loc": ["body", "prompt"],
        "msg": "flagged by a content checker",
        "type": "content_policy_violation",
    }
]


def fal_env(fal: FakeFal) -> dict[str, str]:
    return {
        "GENMEDIA_FAL_API_KEY": API_KEY,
        "GENMEDIA_FAL_BASE_URL": fal.base_url,
        "GENMEDIA_FAL_POLL_AFTER": "0.2",
        # The fake's result files are on loopback, which the delivery module refuses unless told.
        "GENMEDIA_FETCH_ALLOW_PRIVATE": "true",
    }


@attrs.frozen
class FalStack:
    app: Container
    fal: FakeFal


@pytest.fixture(scope="module")
def fal_stack(
    tmp_path_factory: pytest.TempPathFactory, module_postgres_url: str, s3_endpoint: str
) -> Iterator[FalStack]:
    """One stack, fake fal and worker process (2 threads) for the module's scenarios."""
    home = tmp_path_factory.mktemp("fal-stack")
    with (
        fake_fal_server() as fal,
        seeded_stack_with_worker(
            home, module_postgres_url, REDIS_URL, s3_endpoint, fal_env(fal)
        ) as app,
    ):
        yield FalStack(app, fal)


@attrs.frozen
class Run:
    """One request of the fal template, run to its end."""

    user: User
    quoted: int
    job: Job
    before: Wallet
    after: Wallet
    captures: int
    stored: list[bytes]


def run_template(app: Container, email: str) -> Run:
    """Submit the fal template for a new user, wait for its job to end, and read its effects."""
    user = prepare(app, email=email, credits=100)
    before = app.wallet_of(user.id or 0)
    cmd = SubmitRequest(user_id=user.id or 0, template=TEMPLATE, user_prompt="a lighthouse")
    accepted = app.submit_request(cmd)
    request_id = accepted.id or 0

    def job() -> Job:
        return app.request_details(request_id)[0].jobs[0]

    wait_until(lambda: job().status.value in TERMINAL, 60, "the fal job to end")
    _, media = app.request_details(request_id)
    reference = f"job:{job().id}:capture"
    query = sa.select(wallet_transactions.c.id).where(
        wallet_transactions.c.reference_id == reference
    )
    return Run(
        user=user,
        quoted=accepted.estimated_cost,
        job=job(),
        before=before,
        after=app.wallet_of(user.id or 0),
        captures=len(rows(app, query)),
        stored=[app.storage().get(m.storage_path) for m in media],
    )


def test_a_request_queued_then_in_progress_completes_with_the_stored_image_charged_once(
    fal_stack: FalStack,
) -> None:
    fal = fal_stack.fal
    fal.reset(queued_polls=2, running_polls=3)

    run = run_template(fal_stack.app, "success@example.com")

    (request_id,) = fal.request_ids
    assert (run.job.status.value, run.job.error_code, run.job.attempts) == ("completed", None, 1)
    assert run.stored == [fal.file_bytes(request_id)]
    assert run.captures == 1
    assert (run.after.balance, run.after.held) == (run.before.balance - run.quoted, 0)
    assert len(fal.submits) == 1
    body = fal.submits[0].json()
    assert body["image_size"] == "landscape_16_9"  # the template's default option
    assert "a lighthouse" in body["prompt"]
    assert run.job.provider_task_id == request_id
    assert set(json.loads(run.job.provider_polling_url or "")) == {
        "app", "status_url", "response_url", "cancel_url"
    }  # fmt: skip
    units = ProviderCost(float(BILLABLE_UNITS), CostUnit.FAL_BILLABLE_UNITS)
    assert run.job.provider_cost == units
    assert sum(r.path.endswith("/status") for r in fal.http) == 6


@pytest.mark.parametrize(
    ("script", "code", "said"),
    [
        ({"outcome": "nsfw"}, "content_moderated", "generated image"),
        ({"outcome": "input_moderated"}, "content_moderated", "input"),
        (
            {"fail_submits": ALWAYS, "fail_status": 422, "fail_detail": MODERATION_DETAIL},
            "content_moderated",
            "input",
        ),
        (
            {"fail_submits": ALWAYS, "fail_status": 402, "fail_detail": "Insufficient balance"},
            "insufficient_provider_credit",
            "402",
        ),
        (
            {"fail_submits_after_queueing": ALWAYS, "fail_status": 500},
            "submit_outcome_unknown",
            "not resubmitted",
        ),
        ({"forget_requests": True}, "provider_task_not_found", "404"),
        ({"expire_files": True}, "result_expired", "404"),
        ({"outcome": "error"}, "provider_unavailable", "Request timed out"),
    ],
    ids=[
        "output-moderation",
        "input-moderation-in-the-result",
        "input-moderation-at-submit",
        "402",
        "5xx-after-queueing",
        "task-not-found",
        "result-url-expired",
        "completed-with-an-error",
    ],
)
def test_a_failing_fal_request_fails_its_job_with_its_code_and_releases_the_hold(
    fal_stack: FalStack, script: dict[str, Any], code: str, said: str, request: Any
) -> None:
    fal = fal_stack.fal
    fal.reset(**script)

    run = run_template(fal_stack.app, f"{request.node.callspec.id}@example.com")

    assert (run.job.status.value, run.job.error_code) == ("failed", code)
    assert said in (run.job.error_message or "")
    assert (run.after.balance, run.after.held) == (run.before.balance, 0)
    assert (run.captures, run.stored) == (0, [])
    assert len(fal.submits) == 1  # none of these is ever submitted twice


@pytest.mark.parametrize(
    ("retry_after", "at_least"),
    [({"retry_after": "2"}, 2.0), ({"retry_after_in": 2.0}, 0.9)],
    ids=["seconds", "http-date"],
)
def test_a_rate_limited_submit_waits_out_retry_after_then_completes_without_spending_attempts(
    fal_stack: FalStack, retry_after: dict[str, Any], at_least: float, request: Any
) -> None:
    fal = fal_stack.fal
    fal.reset(fail_submits=2, fail_status=429, **retry_after)

    run = run_template(fal_stack.app, f"limited-{request.node.callspec.id}@example.com")

    assert (run.job.status.value, run.job.attempts) == ("completed", 1)
    assert run.captures == 1
    submits = [r.at for r in fal.submits]
    assert (len(submits), len(fal.request_ids)) == (3, 1)
    # Each submit after a 429 came no earlier than its Retry-After allowed (an HTTP-date
    # has whole seconds, so "in 2 s" may mean a little over 1 s).
    assert min(b - a for a, b in pairwise(submits)) >= at_least


def test_a_worker_killed_while_its_fal_request_runs_is_finished_by_the_next_from_the_handle(
    tmp_path: Path, empty_postgres_url: str, s3_endpoint: str
) -> None:
    migrate.upgrade(empty_postgres_url)
    stack = Stack(
        home=tmp_path, env=stack_env(tmp_path, empty_postgres_url, REDIS_URL, s3_endpoint)
    )
    with fake_fal_server(queued_polls=15, running_polls=10) as fal:
        stack.env.update(fal_env(fal))
        with stack.container() as app:
            user = prepare(app, email="killed@example.com", credits=100)
            cmd = SubmitRequest(user_id=user.id or 0, template=TEMPLATE, user_prompt="a lighthouse")
            request_id = app.submit_request(cmd).id or 0
            first = stack.worker("--threads", "2")
            try:
                polled = lambda: any(r.path.endswith("/status") for r in fal.http)  # noqa: E731
                wait_until(polled, 60, "the first status poll")
            finally:
                stop(first, signal.SIGKILL)
            second = stack.worker("--threads", "2")
            try:
                job = lambda: app.request_details(request_id)[0].jobs[0]  # noqa: E731
                wait_until(lambda: job().status.value in TERMINAL, 60, "the job to end")
            finally:
                assert stop(second) == 0
            (request_id_at_fal,) = fal.request_ids
            assert (job().status.value, len(fal.submits)) == ("completed", 1)
            (media,) = app.request_details(request_id)[1]
            assert app.storage().get(media.storage_path) == fal.file_bytes(request_id_at_fal)


def test_without_the_fal_key_the_seeded_template_fails_as_not_configured_and_costs_nothing(
    stack: Stack,
) -> None:
    with stack.container() as app:
        assert "fal" not in app.provider_gateways()
        worker = stack.worker("--threads", "2")
        try:
            run = run_template(app, "no-key@example.com")
        finally:
            assert stop(worker) == 0

    assert (run.job.status.value, run.job.error_code) == ("failed", "provider_not_configured")
    assert (run.after.balance, run.after.held, run.captures) == (run.before.balance, 0, 0)
