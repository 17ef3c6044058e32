"""Production execution on PostgreSQL, Redis/Dramatiq and S3: no job lost, no effect doubled."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from dependency_injector import providers

from genmedia.adapters.queue.broker import DramatiqJobQueue
from genmedia.adapters.sql.tables import (
    generation_jobs,
    generation_media,
    wallet_transactions,
)
from genmedia.application.execution.dispatch import DispatchPolicy, dispatch_pending
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.identity.commands import CreateUser
from genmedia.application.ports import Outcome, ProviderCall, ProviderGateway
from genmedia.domain.catalog import Feature
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.user import User
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.worker import WorkerRuntime
from tests.e2e.stack import Stack, free_port, redis_server, stop, wait_until
from tests.fakes import DoublingQueue
from tests.integration.fake_bfl import ALWAYS, fake_bfl_server
from tests.integration.fake_bfl import API_KEY as BFL_KEY

pytestmark = pytest.mark.e2e
SMALL = {"width": 64, "height": 64}


def prepare(container: Container, email: str = "e2e@example.com", credits: int = 1000) -> User:
    container.seed_catalog()
    with container.config.welcome_credits.override(credits):
        return container.ensure_user(CreateUser(email=email))


def submit(container: Container, user: User, template: str = "neon-city", batch: int = 1) -> int:
    cmd = SubmitRequest(
        user_id=user.id or 0, template=template, input_metadata={"batch_size": batch}, params=SMALL
    )
    return container.submit_request(cmd).id or 0


def rows(container: Container, query: sa.Select) -> list[sa.Row]:  # type: ignore[type-arg]
    with container.engine().connect() as connection:
        return list(connection.execute(query).all())


def statuses(container: Container) -> dict[str, int]:
    query = sa.select(generation_jobs.c.status, sa.func.count()).group_by(generation_jobs.c.status)
    return {str(r[0].value): r[1] for r in rows(container, query)}


def all_done(container: Container, total: int) -> bool:
    done = statuses(container)
    return sum(done.get(s, 0) for s in ("completed", "failed", "cancelled")) == total


def effects(container: Container, user: User) -> tuple[int, int, int, int]:
    """Media rows, stored objects, capture entries and the wallet balance."""
    media = rows(container, sa.select(generation_media.c.storage_path))
    stored = sum(container.storage().exists(m.storage_path) for m in media)
    captures = rows(
        container,
        sa.select(wallet_transactions.c.id).where(
            wallet_transactions.c.reference_id.like("job:%:capture")
        ),
    )
    return len(media), stored, len(captures), container.wallet_of(user.id or 0).balance


def test_a_worker_killed_mid_job_still_completes_it_once(stack: Stack) -> None:
    env = {"GENMEDIA_LOCAL_ASYNC_POLLS": "12"}
    with stack.container(local_async_polls=12) as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance
        request_id = submit(app, user, template="studio-portrait")
        first = stack.worker("--threads", "2", **env)
        job = generation_jobs

        def waiting_on_provider() -> bool:
            found = rows(
                app, sa.select(job.c.provider_task_id).where(job.c.request_id == request_id)
            )
            return bool(found and found[0].provider_task_id)

        wait_until(waiting_on_provider, 60, "the job to be waiting on its provider")
        stop(first, signal.SIGKILL)
        second = stack.worker("--threads", "2", **env)
        try:
            wait_until(lambda: all_done(app, 1), 90, "the job to finish after the kill")
        finally:
            assert stop(second) == 0
        assert statuses(app) == {"completed": 1}
        media, stored, captures, balance = effects(app, user)
        assert (media, stored, captures) == (1, 1, 1)
        # studio-portrait costs 4 per output: feature 1 + template 2 + provider model 1.
        assert balance == before - 4


def test_every_message_delivered_twice_gives_the_same_outcome(stack: Stack) -> None:
    with stack.container() as app:
        user = prepare(app)
        before = app.wallet_of(user.id or 0).balance
        request_ids = [submit(app, user, batch=3) for _ in range(4)]
        twice = DoublingQueue(DramatiqJobQueue(app.broker()))
        worker = stack.worker("--threads", "4", GENMEDIA_DISPATCHER_IN_WORKER="false")
        try:
            policy = DispatchPolicy(user_cap=100, max_in_flight=100)
            sent = dispatch_pending(
                uow=app.uow(), queue=twice, clock=app.clock(), metrics=app.metrics(), policy=policy
            )
            assert sent == 12
            wait_until(lambda: all_done(app, 12), 90, "all jobs to finish")
        finally:
            assert stop(worker) == 0
        assert twice.sent == 24
        assert statuses(app) == {"completed": 12}
        media, stored, captures, balance = effects(app, user)
        assert (media, stored, captures) == (12, 12, 12)
        charged = sum(app.request_details(r)[0].credits_charged for r in request_ids)
        assert balance == before - charged
        assert charged == 12 * 3


def test_jobs_accepted_while_redis_is_down_all_run_after_it_returns(
    stack: Stack, tmp_path: Path
) -> None:
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    stack.env["GENMEDIA_REDIS_URL"] = redis_url
    with stack.container() as app:
        user = prepare(app)
        with redis_server(port, tmp_path) as redis:
            worker = stack.worker("--threads", "2")
            submit(app, user, batch=2)
            wait_until(lambda: all_done(app, 2), 60, "the first jobs")
            stop(redis)
            for _ in range(3):
                submit(app, user, batch=2)
            assert all_done(app, 2)
        with redis_server(port, tmp_path):
            try:
                wait_until(lambda: all_done(app, 8), 120, "every job accepted during the outage")
            finally:
                assert stop(worker) == 0
        assert statuses(app) == {"completed": 8}
        media, stored, captures, _ = effects(app, user)
        assert (media, stored, captures) == (8, 8, 8)


def started_after_dispatch(app: Container, request_id: int) -> tuple[list[sa.Row], list[sa.Row]]:  # type: ignore[type-arg]
    """Other requests' jobs started after this request's (single) job was dispatched, and
    those of them that started before it did."""
    job = generation_jobs
    query = sa.select(job.c.request_id, job.c.started_at, job.c.dispatched_at)
    claims = rows(app, query.order_by(job.c.started_at))
    mine = next(r for r in claims if r.request_id == request_id)
    after = [r for r in claims if r.request_id != request_id and r.started_at > mine.dispatched_at]
    return after, [r for r in after if r.started_at < mine.started_at]


def test_a_paid_job_submitted_last_starts_before_the_free_backlog(stack: Stack) -> None:
    with stack.container() as app:
        free = [prepare(app, f"free{i}@example.com") for i in range(4)]
        paid = prepare(app, "paid@example.com")
        with app.uow() as uow:
            uow._active().execute(
                sa.text("UPDATE users SET priority = 10 WHERE id = :u"), {"u": paid.id}
            )
            uow.commit()
        for user in free:
            submit(app, user, batch=8)
            for _ in range(5):
                submit(app, user, batch=8)
        worker = stack.worker(
            "--threads", "2", GENMEDIA_MAX_IN_FLIGHT="4", GENMEDIA_USER_CONCURRENCY="50"
        )
        try:
            wait_until(lambda: statuses(app).get("completed", 0) >= 10, 60, "the backlog to start")
            paid_request = submit(app, paid)
            wait_until(lambda: all_done(app, 193), 180, "the whole backlog")
        finally:
            assert stop(worker) == 0
        free_after, overtaking = started_after_dispatch(app, paid_request)
        assert len(free_after) >= 150  # the backlog was still there when the paid job went out
        # Counted from the dispatch round that sent the paid job: only free jobs already
        # handed to the broker, at most GENMEDIA_MAX_IN_FLIGHT of them, may start first.
        assert len(overtaking) <= 4


def test_another_users_job_starts_within_the_cap_of_a_busy_users_backlog(stack: Stack) -> None:
    cap = 3
    with stack.container() as app:
        busy, other = prepare(app, "busy@example.com"), prepare(app, "other@example.com")
        for _ in range(12):
            submit(app, busy, batch=8)
        submit(app, busy, batch=4)
        worker = stack.worker("--threads", "4", GENMEDIA_USER_CONCURRENCY=str(cap))
        try:
            wait_until(lambda: statuses(app).get("completed", 0) >= 5, 60, "the busy user's jobs")
            single = submit(app, other)
            wait_until(lambda: all_done(app, 101), 180, "all jobs")
        finally:
            assert stop(worker) == 0
        # Counted from the dispatch round that sent the single job: the busy user's jobs
        # already handed to the broker, and those refilled in that round, are at most the cap.
        _, between = started_after_dispatch(app, single)
        assert len(between) <= cap, [(r.request_id, r.started_at) for r in between]
        assert len(rows(app, sa.select(generation_jobs.c.id))) == 101


def test_a_provider_answering_503_is_retried_with_growing_delays_then_fails(stack: Stack) -> None:
    with fake_bfl_server(fail_submits=ALWAYS, fail_status=503) as bfl:
        stack.env.update(GENMEDIA_BFL_API_KEY=BFL_KEY, GENMEDIA_BFL_BASE_URL=bfl.base_url)
        with stack.container() as app:
            user = prepare(app)
            feature = add_bfl_feature(app)
            before = app.wallet_of(user.id or 0)
            cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a fox")
            request_id = app.submit_request(cmd).id or 0
            assert app.wallet_of(user.id or 0).held > 0
            worker = stack.worker("--threads", "2")
            try:
                wait_until(lambda: all_done(app, 1), 60, "the job to give up")
            finally:
                assert stop(worker) == 0
            request, _ = app.request_details(request_id)
            job = request.jobs[0]
            assert (job.status.value, job.error_code, job.attempts) == (
                "failed",
                "provider_unavailable",
                3,
            )
            submits = [r.at for r in bfl.requests_to("/v1/flux-dev")]
            assert len(submits) == 3
            first_gap, second_gap = submits[1] - submits[0], submits[2] - submits[1]
            assert second_gap > first_gap
            after = app.wallet_of(user.id or 0)
            assert (after.balance, after.held) == (before.balance, 0)


def add_bfl_feature(app: Container) -> int:
    """A feature running on BFL's flux-dev, as an operator would configure it."""
    with app.uow() as uow:
        model = uow.provider_models.add(
            ProviderModel(provider="bfl", model_slug="flux-dev", label="FLUX.1 dev", cost_per_use=3)
        )
        feature = uow.features.add(Feature(name="BFL text to image", provider_model_id=model.id))
        uow.commit()
    return feature.id or 0


def test_a_worker_dispatches_as_its_jobs_complete_not_only_at_its_poll(stack: Stack) -> None:
    with stack.container() as app:
        user = prepare(app)
        submit(app, user, batch=8)
        # A poll far beyond the test's patience: only completions can trigger later rounds.
        worker = stack.worker(
            "--threads", "2", GENMEDIA_DISPATCH_INTERVAL="600", GENMEDIA_MAX_IN_FLIGHT="2"
        )
        try:
            wait_until(lambda: all_done(app, 8), 120, "all eight jobs, two in flight at a time")
        finally:
            assert stop(worker) == 0
        assert statuses(app) == {"completed": 8}


class GatedProvider(ProviderGateway):
    """A provider whose submissions wait until `gate` opens, then go to `inner`."""

    name = "local"

    def __init__(self, inner: ProviderGateway) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.entered = threading.Event()

    def submit(self, call: ProviderCall) -> Outcome:
        self.entered.set()
        assert self.gate.wait(60)
        return self.inner.submit(call)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        return self.inner.poll(task_id, polling_url)

    def fetch(self, url: str) -> bytes:
        return self.inner.fetch(url)


def test_a_stopping_worker_gives_back_the_jobs_it_claimed_but_never_started(
    stack: Stack,
) -> None:
    with stack.container(worker_threads=1) as app:
        user = prepare(app)
        request_id = submit(app, user, batch=4)
        provider = GatedProvider(app.provider_gateways()["local"])
        app.provider_gateways.override(providers.Object({"local": provider}))
        runtime = WorkerRuntime(app)
        runtime.start()
        stopping = threading.Thread(target=runtime.stop)
        job = generation_jobs
        query = sa.select(job.c.id, job.c.status, job.c.attempts, job.c.worker_id)
        try:
            assert provider.entered.wait(60)
            # One thread fetches two messages at a time: the second job waits, claimed.
            wait_until(lambda: statuses(app).get("processing") == 2, 30, "a job claimed ahead")
            claimed = {r.id for r in rows(app, query) if r.status.value == "processing"}
            stopping.start()
            threads = runtime.worker.worker.workers
            wait_until(lambda: not any(t.running for t in threads), 30, "the threads to stop")
        finally:
            provider.gate.set()
            if stopping.ident is None:
                runtime.stop()
            stopping.join(60)
        found = {r.id: r for r in rows(app, query.where(job.c.request_id == request_id))}
        assert sorted((str(found[i].status.value), found[i].attempts) for i in claimed) == [
            ("completed", 1),
            ("pending", 0),
        ]
        assert [r.worker_id for r in found.values() if r.attempts == 0] == [None] * 3
        worker = stack.worker("--threads", "2")
        try:
            wait_until(lambda: all_done(app, 4), 90, "the other jobs to run on another worker")
        finally:
            assert stop(worker) == 0
        found = rows(app, query.where(job.c.request_id == request_id))
        assert sorted((str(r.status.value), r.attempts) for r in found) == [("completed", 1)] * 4
