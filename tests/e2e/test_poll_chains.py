"""One poll chain per waiting job, on PostgreSQL and Redis, with a loopback BFL that counts
polls (issue #21): a worker killed while its jobs wait, a dispatcher alone for a while,
then a new worker; also with every message sent twice. And a rate limit spends no attempt.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.application.generation.commands import SubmitRequest
from genmedia.entrypoints.container import Container
from tests.e2e.stack import Stack, free_port, scrape, stop, wait_until
from tests.e2e.test_production import add_bfl_feature, all_done, prepare, rows, statuses
from tests.integration.fake_bfl import ALWAYS, FakeBfl, fake_bfl_server
from tests.integration.fake_bfl import API_KEY as BFL_KEY

pytestmark = pytest.mark.e2e

JOBS = 20
POLL_AFTER = 0.5  # GENMEDIA_BFL_POLL_AFTER: the normal interval between two polls of a task
ALONE = 8.0  # seconds the dispatcher runs alone: well past the heartbeat timeout (2 s)
WINDOW = 6.0  # seconds over which the new worker's polls are counted
STORM = {
    "GENMEDIA_BFL_POLL_AFTER": str(POLL_AFTER),
    "GENMEDIA_MAINTENANCE_INTERVAL": "1",
    "GENMEDIA_USER_CONCURRENCY": "50",
    "GENMEDIA_DISPATCHER_IN_WORKER": "false",
}


def waiting_jobs(app: Container) -> dict[int, tuple[str, int, str | None]]:
    """Per waiting job: its task id, lease and worker."""
    job = generation_jobs
    query = sa.select(job.c.id, job.c.provider_task_id, job.c.lease, job.c.worker_id).where(
        job.c.provider_task_id.is_not(None)
    )
    return {r.id: (r.provider_task_id, r.lease, r.worker_id) for r in rows(app, query)}


def held_polls(app: Container) -> Counter[tuple[int, int | None]]:
    """How many poll messages the broker holds, per (job id, token)."""
    return Counter(app.job_queue().poll_messages())


def polls_per_task(bfl: FakeBfl, since: float = 0.0, until: float = float("inf")) -> Counter[str]:
    """The get_result calls the fake received between these monotonic times, per task."""
    return Counter(
        r.query["id"][0] for r in bfl.requests_to("/v1/get_result") if since <= r.at < until
    )


class Broker:
    """Samples of the poll messages the broker holds, checked against the jobs' leases."""

    def __init__(self, app: Container, copies: int) -> None:
        self.app = app
        self.copies = copies  # how many times every message is sent
        self.most = 0

    def sample(self) -> None:
        """Every poll message that carries a job's chain carries its current token, and
        there is one such message per waiting job (sent `copies` times)."""
        jobs = waiting_jobs(self.app)
        held = held_polls(self.app)
        live = Counter(job_id for (job_id, token), n in held.items() if token == jobs[job_id][1])
        assert set(live) <= set(jobs)
        assert max(live.values(), default=0) <= self.copies, held
        self.most = max(self.most, sum(held.values()))

    def settled(self) -> Counter[tuple[int, int | None]]:
        """At rest (no worker running), once maintenance dropped any stale message: one
        poll message per waiting job, carrying the job's current token (sent `copies`
        times, and a copy may have been taken and dropped already), and nothing else."""

        def current() -> dict[int, int | None]:
            return {job_id: lease for job_id, (_, lease, _) in waiting_jobs(self.app).items()}

        wait_until(lambda: set(held_polls(self.app)) == set(current().items()), 15, "settling")
        held = held_polls(self.app)
        assert set(held) == set(current().items())  # one token per job: its current one
        assert set(held.values()) <= set(range(1, self.copies + 1)), held
        return held


def watch(seconds: float, check: Callable[[], None]) -> float:
    """Run `check` every quarter second for about `seconds`; the seconds that passed."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        check()
        time.sleep(0.25)
    return time.monotonic() - started


def start(stack: Stack, role: str, doubled: bool, **env: str) -> subprocess.Popen[bytes]:
    if doubled:
        return stack.spawn("tests.e2e.doubled", role, **env)
    if role == "worker":
        return stack.worker("--threads", "4", **env)
    return stack.spawn("genmedia.entrypoints.cli", "dispatcher", **env)


@pytest.mark.parametrize("copies", [1, 2], ids=["sent-once", "sent-twice"])
def test_a_killed_worker_leaves_one_poll_chain_per_waiting_job(stack: Stack, copies: int) -> None:
    doubled = copies == 2
    with fake_bfl_server(pending_polls=ALWAYS) as bfl:
        stack.env.update(STORM, GENMEDIA_BFL_API_KEY=BFL_KEY, GENMEDIA_BFL_BASE_URL=bfl.base_url)
        with stack.container() as app:
            user = prepare(app)
            feature = add_bfl_feature(app)
            for n in range(JOBS):
                cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt=f"f{n}")
                app.submit_request(cmd)
            port = free_port()
            dispatcher = start(stack, "dispatcher", doubled, GENMEDIA_METRICS_PORT=str(port))
            first = start(stack, "worker", doubled)
            broker = Broker(app, copies)
            try:
                polled_once = lambda: len(polls_per_task(bfl)) == JOBS  # noqa: E731
                wait_until(polled_once, 60, "every task to be polled")
                stop(first, signal.SIGKILL)

                # The dispatcher and maintenance alone: nothing polls, nothing piles up.
                polls_before = len(bfl.requests_to("/v1/get_result"))
                watch(ALONE, broker.sample)
                assert len(bfl.requests_to("/v1/get_result")) == polls_before
                held = broker.settled()
                assert {worker for _, _, worker in waiting_jobs(app).values()} == {None}
                gauges = scrape(port)
                assert gauges["genmedia_jobs_waiting_on_provider"] == JOBS
                assert gauges["genmedia_poll_messages"] == sum(held.values())

                # A new worker: each task polled at its normal rate, one chain each.
                second = start(stack, "worker", doubled)
                began = time.monotonic()
                wait_until(
                    lambda: len(polls_per_task(bfl, since=began)) == JOBS, 60, "the new worker"
                )
                since = time.monotonic()
                elapsed = watch(WINDOW, broker.sample)
                counted = polls_per_task(bfl, since, since + elapsed)
                assert stop(second) == 0
                settled = broker.settled()
            finally:
                for process in (first, dispatcher):
                    stop(process)
            intervals = elapsed / POLL_AFTER
            rates = {task: n / intervals for task, n in counted.items()}
            print(
                f"\npoll storm ({'every message sent twice' if doubled else 'sent once'}): "
                f"{JOBS} waiting jobs; with the dispatcher alone for {ALONE:.0f} s the broker "
                f"held {sum(held.values())} poll messages; then over {elapsed:.1f} s "
                f"({intervals:.1f} poll intervals) the provider saw {sum(counted.values())} "
                f"polls, per task {min(counted.values())}–{max(counted.values())}, i.e. "
                f"{max(rates.values()):.2f}× the normal rate at most "
                f"(mean {sum(rates.values()) / JOBS:.2f}×); the broker held at most "
                f"{broker.most} poll messages, {sum(settled.values())} once the worker stopped"
            )
            assert len(counted) == JOBS
            assert max(rates.values()) <= 1.2
            assert statuses(app) == {"processing": JOBS}


def test_a_provider_rate_limit_is_waited_out_without_spending_attempts(stack: Stack) -> None:
    with fake_bfl_server(fail_submits=5, fail_status=429, retry_after="1") as bfl:
        stack.env.update(GENMEDIA_BFL_API_KEY=BFL_KEY, GENMEDIA_BFL_BASE_URL=bfl.base_url)
        with stack.container() as app:
            user = prepare(app)
            feature = add_bfl_feature(app)
            cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature, user_prompt="a fox")
            request_id = app.submit_request(cmd).id or 0
            worker = stack.worker("--threads", "2")
            try:
                wait_until(lambda: all_done(app, 1), 60, "the job to finish")
            finally:
                assert stop(worker) == 0
            request, _ = app.request_details(request_id)
            job = request.jobs[0]
            assert (job.status.value, job.attempts, job.max_attempts) == ("completed", 1, 3)
            submits = [r.at for r in bfl.requests_to("/v1/flux-dev")]
            assert len(submits) == 6  # five answered 429, the sixth accepted
            gaps = ", ".join(f"{b - a:.2f}s" for a, b in itertools.pairwise(submits))
            print(f"\nrate limit: 6 submits, 1 attempt spent; between submits {gaps}")
