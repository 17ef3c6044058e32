"""The attempt and deadline rule, as the runner and the rescuer apply it together (issue #21).

Hypothesis plays any sequence of outcomes of a job's runs, with any delays between them:
its provider fails (503), asks it to wait (429 with some Retry-After), its worker dies
before calling the provider (a prefetched claim) or during the call, or the provider
answers. Whatever the sequence, the job ends, no provider call starts after its deadline,
and its attempts count exactly the calls that were made and did not end in a rate limit.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from datetime import datetime, timedelta

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.errors import ProviderError
from genmedia.application.execution.policy import RetryPolicy
from genmedia.application.execution.rescue import beat, rescue_orphans
from genmedia.application.execution.runner import JobRunner
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.application.ports import Outcome, ProviderCall
from genmedia.domain.job import Job
from genmedia.domain.status import Status
from tests.fakes import (
    FakeClock,
    FakeDatabase,
    FakeHasher,
    FakeImageProcessor,
    FakeMetrics,
    FakeProvider,
    FakeQueue,
    FakeStorage,
    FakeUnitOfWork,
)

TIMEOUT = timedelta(minutes=10)
HEARTBEAT_TIMEOUT = 30
RETRY = RetryPolicy(job_timeout=TIMEOUT, base_delay=2, max_delay=60)


class WorkerKilled(BaseException):
    """The worker's process ends here (SIGKILL): nothing after this line runs."""


class ScriptedProvider(FakeProvider):
    """Answers each submit as the next outcome says; records how each call ended and when
    it was made."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.next_outcome: tuple[str, float] = ("ok", 0.0)
        self.made: list[tuple[str, datetime]] = []

    def submit(self, call: ProviderCall) -> Outcome:
        kind, retry_after = self.next_outcome
        self.made.append((kind, self.clock.now()))
        if kind == "fail":
            raise ProviderError("provider_unavailable", "503", retryable=True)
        if kind == "limited":
            raise ProviderError("rate_limited", "429", retryable=True, retry_after=retry_after)
        if kind == "killed":
            raise WorkerKilled
        return super().submit(call)


outcomes = st.one_of(
    st.tuples(st.sampled_from(["fail", "killed", "prefetched", "ok"]), st.just(0.0)),
    st.tuples(st.just("limited"), st.floats(0, 240)),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.tuples(outcomes, st.floats(0, 120)), max_size=14),
    max_attempts=st.integers(1, 4),
)
def test_every_sequence_of_outcomes_ends_within_the_deadline_spending_only_real_tries(
    steps: list[tuple[tuple[str, float], float]], max_attempts: int
) -> None:
    clock = FakeClock()
    uow, job_id = _one_job(clock, max_attempts)
    provider = ScriptedProvider(clock)
    queue = FakeQueue()
    lives = iter(range(1, 1000))
    last = "none"  # the outcome of the last run
    # After the scripted outcomes the provider answers, until the job ends.
    for (outcome, retry_after), lag in [*steps, (("ok", 0.0), 0.0), (("ok", 0.0), 0.0)]:
        job = _job(uow, job_id)
        if job.status.is_terminal:
            break
        _advance(uow, clock, lag + _wait_for(job, clock))
        provider.next_outcome = (outcome, retry_after)
        last = outcome
        _run(uow, clock, queue, provider, job_id, f"w{next(lives)}", outcome)
        if _job(uow, job_id).status is Status.PROCESSING:  # its worker died: a rescue
            _advance(uow, clock, HEARTBEAT_TIMEOUT + 1)
            rescue_orphans(
                uow=lambda: uow, queue=queue, clock=clock, heartbeat_timeout=HEARTBEAT_TIMEOUT
            )

    job = _job(uow, job_id)
    real = [kind for kind, _ in provider.made if kind != "limited"]
    assert job.status.is_terminal
    assert job.attempts == len(real), (job.attempts, provider.made)
    assert all(at < (job.deadline_at or at) for _, at in provider.made), provider.made
    if job.status is Status.COMPLETED:
        assert real[-1] == "ok"
    if job.status is Status.FAILED:  # its last try failed and spent its last attempt …
        spent = job.attempts == max_attempts and last in ("fail", "killed")
        late = "deadline" in (job.error_message or "") or _too_late(job, clock)
        assert spent or late, (last, job.attempts, job.error_message)  # … or time ran out


@functools.cache
def _seeded() -> tuple[FakeDatabase, int]:
    """A fake database with the sample catalog and one user with credits, built once."""
    uow, clock = FakeUnitOfWork(), FakeClock()
    seed_catalog(uow=uow, hasher=FakeHasher(), clock=clock, admin_email="admin@example.com")
    user = create_user(
        CreateUser(email="ann@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )
    return uow.db, user.id or 0


def _one_job(clock: FakeClock, max_attempts: int) -> tuple[FakeUnitOfWork, int]:
    """A fresh copy of the seeded database with one job submitted at the clock's time."""
    db, user_id = _seeded()
    uow = FakeUnitOfWork(copy.deepcopy(db))
    cmd = SubmitRequest(user_id=user_id, template="neon-city")
    job_id = submit_request(cmd, uow=uow, clock=clock).jobs[0].id or 0
    _job(uow, job_id).max_attempts = max_attempts  # the stored job's cap, set in the fake
    return uow, job_id


def _job(uow: FakeUnitOfWork, job_id: int) -> Job:
    return next(j for r in uow.db.requests.values() for j in r.jobs if j.id == job_id)


def _advance(uow: FakeUnitOfWork, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    uow.db.now = clock.now()


def _wait_for(job: Job, clock: FakeClock) -> float:
    """How long until a pending job is due (the dispatcher sends it then)."""
    if job.status is not Status.PENDING or job.run_after is None:
        return 0.0
    return max((job.run_after - clock.now()).total_seconds(), 0.0)


def _run(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    queue: FakeQueue,
    provider: ScriptedProvider,
    job_id: int,
    worker: str,
    outcome: str,
) -> None:
    """A worker (alive, with a heartbeat) runs the job; "prefetched": it dies after its
    claim, before the call; "killed": during the call."""
    beat(worker, 1, uow=uow)
    runner = JobRunner(
        uow=lambda: uow, storage=FakeStorage(), images=FakeImageProcessor(),
        providers={"local": provider}, queue=queue, clock=clock, worker_id=worker,
        metrics=FakeMetrics(), retry=RETRY,
    )  # fmt: skip
    if outcome == "prefetched":
        runner = attrs.evolve(runner, begin=_die)
    with contextlib.suppress(WorkerKilled):
        runner.run(job_id)


def _die(job: Job) -> Job | None:
    raise WorkerKilled


def _too_late(job: Job, clock: FakeClock) -> bool:
    """Whether the longest wait the runner could choose would end past the deadline."""
    longest = max(RETRY.max_delay, 240.0)
    return clock.now() + timedelta(seconds=longest) >= (job.deadline_at or clock.now())
