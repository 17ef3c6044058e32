"""Black Forest Labs through the real worker on PostgreSQL and Redis (issue #18, providers.md
§8.13): each scenario that applies to BFL ends in the right job status and error code, the
right wallet outcome (captured once, or released) and the right stored bytes."""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any

import attrs
import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import add_bfl_feature, effects, prepare
from tests.integration.fake_bfl import (
    ALWAYS,
    API_KEY,
    FakeBfl,
    Script,
    fake_bfl_server,
    sample_png,
)

pytestmark = pytest.mark.e2e

CREDITS = 100
TERMINAL = {"completed", "failed", "cancelled"}


@pytest.fixture(scope="module")
def bfl() -> Any:
    with fake_bfl_server() as fake:
        yield fake


def scripted(bfl: FakeBfl, **changes: Any) -> None:
    """Give the module's fake the default script with these changes, whatever ran before."""
    bfl.script(**{**attrs.asdict(Script()), **changes})


def run_one(stack: Stack, bfl: FakeBfl, prompt: str) -> tuple[Any, tuple[int, int, int, int]]:
    """Run one BFL job through a worker; its job and the effects (media, stored, captures,
    balance)."""
    stack.env.update(
        GENMEDIA_BFL_API_KEY=API_KEY,
        GENMEDIA_BFL_BASE_URL=bfl.base_url,
        GENMEDIA_BFL_POLL_AFTER="0.1",
    )
    with stack.container() as app:
        user = prepare(app, credits=CREDITS)
        cmd = SubmitRequest(
            user_id=user.id or 0, feature_id=add_bfl_feature(app), user_prompt=prompt
        )
        request_id = app.submit_request(cmd).id or 0
        worker = stack.worker("--threads", "2")
        try:

            def job() -> Any:
                return app.request_details(request_id)[0].jobs[0]

            wait_until(lambda: job().status.value in TERMINAL, 60, "the BFL job to end")
        finally:
            assert stop(worker) == 0
        return job(), effects(app, user)


def test_a_task_pending_several_polls_completes_with_its_sample_stored_and_charged_once(
    stack: Stack, bfl: FakeBfl
) -> None:
    scripted(bfl, pending_polls=3)
    job, (media, stored, captures, balance) = run_one(stack, bfl, "a kingfisher")
    assert (job.status.value, media, stored, captures) == ("completed", 1, 1, 1)
    assert balance == CREDITS - job.credits_used > CREDITS - 10
    assert job.provider_cost == ProviderCost(4.0, CostUnit.BFL_CREDITS)  # named at submit
    with stack.container() as app:
        (stored_media,) = app.request_details(job.request_id or 0)[1]
        body = bfl.task_body(job.provider_task_id or "")
        assert body is not None
        assert app.storage().get(stored_media.storage_path) == sample_png(body)


@pytest.mark.parametrize(
    ("script", "code", "stage"),
    [
        ({"final_status": "Request Moderated"}, "content_moderated", "input"),
        ({"final_status": "Content Moderated"}, "content_moderated", "output"),
        ({"fail_submits": ALWAYS, "fail_status": 402}, "insufficient_provider_credit", None),
        ({"fail_submits": ALWAYS, "fail_status": 500}, "submit_outcome_unknown", None),
        ({"forget_tasks": True}, "provider_task_not_found", None),
        ({"expire_samples": True}, "result_expired", None),
    ],
    ids=["input-moderation", "output-moderation", "402", "5xx-on-submit", "task-not-found",
         "result-url-expired"],
)  # fmt: skip
def test_a_failing_bfl_task_fails_its_job_with_its_code_and_releases_the_hold(
    stack: Stack, bfl: FakeBfl, script: dict[str, Any], code: str, stage: str | None
) -> None:
    scripted(bfl, **{"pending_polls": 1, **script})
    submits_before = len(bfl.requests_to("/v1/flux-dev"))
    job, (media, stored, captures, balance) = run_one(stack, bfl, f"a {code} case")
    assert (job.status.value, job.error_code) == ("failed", code)
    assert (job.moderation_stage.value if job.moderation_stage else None) == stage
    assert (media, stored, captures, balance) == (0, 0, 0, CREDITS)
    assert len(bfl.requests_to("/v1/flux-dev")) - submits_before == 1  # never submitted twice


def test_a_submit_told_to_wait_until_an_http_date_completes_without_spending_attempts(
    stack: Stack, bfl: FakeBfl
) -> None:
    until = int(time.time()) + 3  # an HTTP date has whole seconds
    not_before = time.monotonic() + (until - time.time())
    date = formatdate(until, usegmt=True)
    scripted(bfl, fail_submits=2, fail_status=429, retry_after=date, pending_polls=1)
    before = len(bfl.requests_to("/v1/flux-dev"))
    job, (media, stored, captures, _) = run_one(stack, bfl, "a patient heron")
    assert (job.status.value, job.attempts) == ("completed", 1)
    assert (media, stored, captures) == (1, 1, 1)
    submits = [r.at for r in bfl.requests_to("/v1/flux-dev")[before:]]
    assert len(submits) == 3
    assert min(submits[1:]) >= not_before - 0.05  # no retry before the date it was given
