"""A worker killed while a fal and a Replicate job are both in flight (issue #18).

Both jobs wait on their provider's task when the worker is killed with SIGKILL; the next
worker finishes each from the handle the first one persisted, with no second submit.
"""

from __future__ import annotations

import signal

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.generation.commands import SubmitRequest
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_fal_provider import TEMPLATE, fal_env
from tests.e2e.test_production import all_done, effects, prepare, rows
from tests.e2e.test_replicate import add_feature, only_job, submit
from tests.integration import fake_replicate
from tests.integration.fake_fal import fake_fal_server
from tests.integration.fake_replicate_server import fake_replicate_server

pytestmark = pytest.mark.e2e


def test_a_worker_killed_with_a_fal_and_a_replicate_job_in_flight_leaves_both_to_the_next(
    stack: Stack,
) -> None:
    with (
        fake_fal_server(queued_polls=15, running_polls=10) as fal,
        fake_replicate_server(starting_polls=1, processing_polls=50) as replicate,
    ):
        stack.env.update(fal_env(fal))
        stack.env.update(
            GENMEDIA_REPLICATE_API_KEY=fake_replicate.API_KEY,
            GENMEDIA_REPLICATE_BASE_URL=replicate.base_url,
            GENMEDIA_REPLICATE_POLL_AFTER="0.1",
        )
        with stack.container() as app:
            user = prepare(app)
            on_fal = SubmitRequest(user_id=user.id or 0, template=TEMPLATE, user_prompt="a harbour")
            fal_request = app.submit_request(on_fal).id or 0
            replicate_request = submit(app, user, add_feature(app), "a fox in the snow")
            handles = sa.select(generation_jobs.c.provider_task_id).where(
                generation_jobs.c.request_id.in_([fal_request, replicate_request])
            )
            first = stack.worker("--threads", "2")
            try:
                both = lambda: all(row.provider_task_id for row in rows(app, handles))  # noqa: E731
                wait_until(lambda: len(rows(app, handles)) == 2 and both(), 60, "both tasks")
            finally:
                stop(first, signal.SIGKILL)
            fal_job, replicate_job = (only_job(app, r) for r in (fal_request, replicate_request))
            assert (fal_job.status.value, replicate_job.status.value) == ("processing",) * 2
            assert replicate.prediction(replicate_job.provider_task_id or "").status() in (
                "starting",
                "processing",
            )
            second = stack.worker("--threads", "2")
            try:
                wait_until(lambda: all_done(app, 2), 90, "both jobs to end")
            finally:
                assert stop(second) == 0
            ended = [only_job(app, r).status.value for r in (fal_request, replicate_request)]
            assert ended == ["completed", "completed"]
            assert (len(fal.submits), replicate.submits) == (1, 1)
            assert effects(app, user)[:3] == (2, 2, 2)
