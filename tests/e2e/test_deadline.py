"""A job's one deadline through the real worker on PostgreSQL and Redis (issue #18): a fal
request that never leaves the queue is polled until the deadline, then cancelled at fal;
the job fails as deadline_exceeded and its hold is released."""

from __future__ import annotations

import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.entrypoints.container import Container
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import prepare
from tests.integration.fake_fal import API_KEY, fake_fal_server

pytestmark = pytest.mark.e2e

NEVER = 1_000_000


def done(app: Container, request_id: int) -> bool:
    """Whether the request has ended, either way (its own deadline may pass first)."""
    return app.request_details(request_id)[0].status.value in ("completed", "failed")


def test_a_task_still_queued_at_the_deadline_is_cancelled_and_the_job_fails_with_its_hold_freed(
    stack: Stack,
) -> None:
    with fake_fal_server(queued_polls=NEVER) as fal:
        stack.env.update(
            GENMEDIA_FAL_API_KEY=API_KEY,
            GENMEDIA_FAL_BASE_URL=fal.base_url,
            # fal's own pace would be 0.2 s; the deadline comes first and is where it ends.
            GENMEDIA_FAL_POLL_AFTER="0.5",
            GENMEDIA_JOB_TIMEOUT_SECONDS="4",
        )
        with stack.container() as app:
            user = prepare(app, credits=100)
            worker = stack.worker("--threads", "2")
            try:
                # A local job first, so that the fal job's 4 s start once the worker is up.
                warm_up = SubmitRequest(user_id=user.id or 0, template="neon-city")
                warm_id = app.submit_request(warm_up).id or 0
                wait_until(lambda: done(app, warm_id), 60, "the worker to take a local job")
                before = app.wallet_of(user.id or 0)
                cmd = SubmitRequest(
                    user_id=user.id or 0, template="fal-golden-hour", user_prompt="a bay"
                )
                request_id = app.submit_request(cmd).id or 0

                def failed() -> bool:
                    return app.request_details(request_id)[0].status.value == "failed"

                wait_until(failed, 60, "the job to reach its deadline")
            finally:
                assert stop(worker) == 0, stack.logs()
            (job,) = app.request_details(request_id)[0].jobs
            after = app.wallet_of(user.id or 0)
        (fal_request,) = fal.request_ids
        cancelled = fal.cancelled(fal_request)
    assert (job.error_code, job.attempts) == ("deadline_exceeded", 1)
    assert cancelled  # the provider's cancel API was called at the deadline
    assert len(fal.submits) == 1
    assert (after.balance, after.held) == (before.balance, 0)
