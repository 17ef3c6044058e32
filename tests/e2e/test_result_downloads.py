"""Result downloads through the real worker on PostgreSQL and Redis: a provider's result URL
on a private address fails the job with a clear error_code and releases its hold."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_media
from genmedia.application.generation.commands import SubmitRequest
from tests.e2e.stack import Stack, stop, wait_until
from tests.e2e.test_production import add_bfl_feature, all_done, prepare, rows
from tests.integration.fake_bfl import API_KEY as BFL_KEY
from tests.integration.fake_bfl import fake_bfl_server

pytestmark = pytest.mark.e2e


def test_a_result_url_on_loopback_fails_the_job_as_forbidden_and_releases_its_hold(
    stack: Stack,
) -> None:
    # The fake BFL hands out sample URLs on 127.0.0.1, which production settings refuse.
    with fake_bfl_server(pending_polls=0) as bfl:
        stack.env.update(
            GENMEDIA_BFL_API_KEY=BFL_KEY,
            GENMEDIA_BFL_BASE_URL=bfl.base_url,
            GENMEDIA_FETCH_ALLOW_PRIVATE="false",
        )
        with stack.container() as app:
            user = prepare(app)
            feature = add_bfl_feature(app)
            before = app.wallet_of(user.id or 0)
            cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a fox")
            request_id = app.submit_request(cmd).id or 0
            assert app.wallet_of(user.id or 0).held > 0
            worker = stack.worker("--threads", "2")
            try:
                wait_until(lambda: all_done(app, 1), 60, "the job to fail")
            finally:
                assert stop(worker) == 0
            request, _ = app.request_details(request_id)
            job = request.jobs[0]
            assert (job.status.value, job.error_code, job.attempts) == (
                "failed",
                "result_url_forbidden",
                1,
            )
            assert "127.0.0.1" in (job.error_message or "")
            assert len(bfl.requests_to("/v1/get_result")) == 1
            assert bfl.requests_to("/samples/") == []
            assert rows(app, sa.select(generation_media.c.id)) == []
            after = app.wallet_of(user.id or 0)
            assert (after.balance, after.held) == (before.balance, 0)
