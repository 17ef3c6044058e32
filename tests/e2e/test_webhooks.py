"""Provider webhooks end to end (issue #18, EXE-2): `genmedia serve` hears BFL's, fal's and
Replicate's deliveries for a worker's waiting job on PostgreSQL and Redis; polling alone
would take ten minutes. A forged delivery changes nothing, a genuine one delivered three
times completes the job once, and a late one is accepted and does nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.generation.commands import SubmitRequest
from tests.e2e.stack import Stack, free_port, stop, wait_until
from tests.e2e.test_fal_provider import TEMPLATE as FAL_TEMPLATE
from tests.e2e.test_fal_provider import fal_env
from tests.e2e.test_production import add_bfl_feature, effects, prepare, rows
from tests.e2e.test_replicate import add_feature as add_replicate_feature
from tests.e2e.test_serve import serving
from tests.integration.fake_bfl import ALWAYS, FakeBfl, fake_bfl_server
from tests.integration.fake_bfl import API_KEY as BFL_KEY
from tests.integration.fake_fal import ALWAYS as FAL_ALWAYS
from tests.integration.fake_fal import JWKS_PATH, fake_fal_server
from tests.integration.fake_replicate import ALWAYS as REPLICATE_ALWAYS
from tests.integration.fake_replicate import API_KEY as REPLICATE_KEY
from tests.integration.fake_replicate import WEBHOOK_SECRET
from tests.integration.fake_replicate_server import fake_replicate_server

pytestmark = pytest.mark.e2e

SECRET = "whk-e2e-secret"


def bfl_paths(bfl: FakeBfl) -> set[str]:
    return {f"{r.method} {r.path}" for r in bfl.requests}


def delivered_three_times_then_late(
    send: Callable[[], httpx.Response],
    done: Callable[[], bool],
    late: Callable[[], httpx.Response] | None = None,
) -> None:
    """Send a genuine delivery three times: only the first polls, and the job completes;
    then a late one (`send` again unless given): accepted, and it polls nothing."""
    genuine = [send() for _ in range(3)]
    assert [answer.status_code for answer in genuine] == [202, 202, 202]
    assert [answer.json()["polled"] for answer in genuine] == [1, 0, 0]
    wait_until(done, 60, "done")
    answer = (late or send)()
    assert (answer.status_code, answer.json()["polled"]) == (202, 0)


def test_a_signed_webhook_completes_a_waiting_job_once_and_a_forged_one_changes_nothing(
    stack: Stack,
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with fake_bfl_server(pending_polls=ALWAYS) as bfl:
        stack.env.update(
            GENMEDIA_BFL_API_KEY=BFL_KEY,
            GENMEDIA_BFL_BASE_URL=bfl.base_url,
            GENMEDIA_BFL_WEBHOOK_SECRET=SECRET,
            GENMEDIA_PUBLIC_URL=public,
            GENMEDIA_WEBHOOK_POLL_INTERVAL="600",
        )
        with stack.container() as app, serving(stack.home, stack.env, port) as (base, _):
            user = prepare(app)
            feature = add_bfl_feature(app)
            app.submit_request(
                SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a fox")
            )
            worker = stack.spawn(
                "genmedia.entrypoints.cli", "--verbose", "worker", "--threads", "2"
            )
            try:
                job = generation_jobs
                query = sa.select(job.c.provider_task_id, job.c.status, job.c.lease)
                wait_until(lambda: rows(app, query)[0].provider_task_id is not None, 60, "submit")
                [(task_id, _, lease)] = rows(app, query)
                (submit,) = bfl.requests_to("/v1/flux-dev")
                assert submit.json()["webhook_url"] == f"{public}/v1/webhooks/bfl"
                assert submit.json()["webhook_secret"] == SECRET

                body = {"id": task_id, "status": "Ready"}
                forged = httpx.post(
                    f"{base}/v1/webhooks/bfl", json=body, headers={"X-Webhook-Secret": "guess"}
                )
                assert forged.status_code == 401
                assert rows(app, query)[0].lease == lease

                bfl.finish(task_id)
                polls_before = len(bfl.requests_to("/v1/get_result"))
                delivered_three_times_then_late(
                    lambda: httpx.post(
                        f"{base}/v1/webhooks/bfl", json=body, headers={"X-Webhook-Secret": SECRET}
                    ),
                    lambda: rows(app, query)[0].status.value == "completed",
                )
                assert len(bfl.requests_to("/v1/get_result")) - polls_before == 1
            finally:
                stop(worker)
            worker_log = next(t for name, t in stack.logs().items() if name.startswith("worker"))
            assert "GET /v1/get_result" in bfl_paths(bfl)
            assert "HTTP Request" not in worker_log  # httpx would log each signed URL
            media, stored, captures, balance = effects(app, user)
            assert (media, stored, captures) == (1, 1, 1)
            assert balance == 1000 - 3


def test_a_fal_delivery_signed_with_its_published_key_completes_the_job_once(
    stack: Stack,
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with fake_fal_server(queued_polls=FAL_ALWAYS) as fal:
        stack.env.update(fal_env(fal))
        stack.env.update(
            GENMEDIA_FAL_JWKS_URL=fal.base_url + JWKS_PATH,
            GENMEDIA_PUBLIC_URL=public,
            GENMEDIA_WEBHOOK_POLL_INTERVAL="600",
        )
        with stack.container() as app, serving(stack.home, stack.env, port) as (base, _):
            user = prepare(app)
            cmd = SubmitRequest(user_id=user.id or 0, template=FAL_TEMPLATE, user_prompt="a bay")
            app.submit_request(cmd)
            worker = stack.spawn("genmedia.entrypoints.cli", "worker", "--threads", "2")
            try:
                job = generation_jobs
                query = sa.select(job.c.provider_task_id, job.c.status, job.c.lease)
                wait_until(lambda: rows(app, query)[0].provider_task_id is not None, 60, "submit")
                [(request_id, _, lease)] = rows(app, query)
                (submit,) = fal.submits
                assert submit.query["fal_webhook"] == [f"{public}/v1/webhooks/fal"]

                body = json.dumps({"request_id": request_id, "status": "OK"}).encode()
                url = f"{base}/v1/webhooks/fal"
                forged = dict(fal.signed_headers(body, request_id))
                forged["X-Fal-Webhook-Signature"] = "00" * 64
                assert httpx.post(url, content=body, headers=forged).status_code == 401
                assert rows(app, query)[0].lease == lease

                fal.finish(request_id)
                delivered_three_times_then_late(
                    lambda: httpx.post(
                        url, content=body, headers=fal.signed_headers(body, request_id)
                    ),
                    lambda: rows(app, query)[0].status.value == "completed",
                )
            finally:
                stop(worker)
            assert len(fal.submits) == 1
            media, stored, captures, _ = effects(app, user)
            assert (media, stored, captures) == (1, 1, 1)


def test_a_replicate_delivery_signed_with_the_webhook_secret_completes_the_job_once(
    stack: Stack,
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with fake_replicate_server(processing_polls=REPLICATE_ALWAYS) as replicate:
        stack.env.update(
            GENMEDIA_REPLICATE_API_KEY=REPLICATE_KEY,
            GENMEDIA_REPLICATE_BASE_URL=replicate.base_url,
            GENMEDIA_REPLICATE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            GENMEDIA_PUBLIC_URL=public,
            GENMEDIA_WEBHOOK_POLL_INTERVAL="600",
        )
        with stack.container() as app, serving(stack.home, stack.env, port) as (base, _):
            user = prepare(app)
            feature = add_replicate_feature(app)
            app.submit_request(
                SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a heron")
            )
            worker = stack.spawn("genmedia.entrypoints.cli", "worker", "--threads", "2")
            try:
                job = generation_jobs
                query = sa.select(job.c.provider_task_id, job.c.status, job.c.lease)
                wait_until(lambda: rows(app, query)[0].provider_task_id is not None, 60, "create")
                [(prediction_id, _, lease)] = rows(app, query)
                assert (
                    replicate.prediction(prediction_id).webhook == f"{public}/v1/webhooks/replicate"
                )

                url = f"{base}/v1/webhooks/replicate"
                headers, body = replicate.webhook_delivery(prediction_id)
                forged = {**headers, "webhook-signature": "v1," + "A" * 44}
                assert httpx.post(url, content=body, headers=forged).status_code == 401
                assert rows(app, query)[0].lease == lease

                replicate.finish(prediction_id)
                headers, body = replicate.webhook_delivery(prediction_id)

                def late() -> httpx.Response:
                    later_headers, later_body = replicate.webhook_delivery(prediction_id)
                    return httpx.post(url, content=later_body, headers=later_headers)

                delivered_three_times_then_late(
                    lambda: httpx.post(url, content=body, headers=headers),
                    lambda: rows(app, query)[0].status.value == "completed",
                    late,
                )
            finally:
                stop(worker)
            assert replicate.submits == 1
            media, stored, captures, _ = effects(app, user)
            assert (media, stored, captures) == (1, 1, 1)
