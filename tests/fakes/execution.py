"""Fakes of the execution ports: the outbox, workers, the queue, providers and metrics."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from genmedia.application.errors import ProviderError
from genmedia.application.ports import (
    Finished,
    JobClaims,
    JobOutbox,
    JobQueue,
    Metrics,
    Outcome,
    PendingJob,
    ProviderCall,
    ProviderGateway,
    ProviderOutput,
    UnitOfWork,
    Waiting,
    WorkerRegistry,
)
from genmedia.domain.job import Job
from genmedia.domain.provider_cost import CostUnit, ProviderCost
from genmedia.domain.scheduling import ProviderLimits, pick_dispatchable
from genmedia.domain.status import Status
from tests.fakes.base import Repo

# What the fake provider says a task costs: at submit (as BFL does), or with its result.
SUBMIT_COST = ProviderCost(2, CostUnit.BFL_CREDITS)
RUN_COST = ProviderCost(0.01, CostUnit.USD)


class FakeJobClaims(JobClaims):
    """Claims as the SQL adapter makes them without its one statement: the jobs locked,
    claimed in the domain and saved, their requests started, all committed at once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        with self.uow as uow:
            jobs = [job for job in uow.jobs.lock(job_ids) if job.status is Status.PENDING]
            for job in jobs:
                job.claim(worker_id, now, timeout)
            uow.jobs.save_all(jobs)
            for request_id in sorted({job.request_id or 0 for job in jobs}):
                uow.requests.get(request_id).refresh_status()
            uow.commit()
        return jobs

    def begin(
        self, runs: Collection[tuple[int, int]], worker_id: str, now: datetime
    ) -> dict[int, bool]:
        wanted = set(runs)
        with self.uow as uow:
            jobs = [
                job
                for job in uow.jobs.lock({job_id for job_id, _ in wanted})
                if (job.id, job.lease) in wanted and job.awaits_call(job.lease, worker_id)
            ]
            begun = [job for job in jobs if not job.cancel_requested]
            for job in begun:
                job.begin(now)
            uow.jobs.save_all(begun)
            uow.commit()
        return {job.id: job.cancel_requested for job in jobs}


class FakeJobOutbox(Repo, JobOutbox):
    def _jobs(self) -> list[Any]:
        return [j for r in self.db.requests.values() for j in r.jobs]

    def _mark_dispatched(self, job_ids: Sequence[int], now: datetime) -> int:
        marked = 0
        for job in self._jobs():
            if job.id in job_ids and job.status is Status.PENDING and job.dispatched_at is None:
                job.dispatched_at = now
                marked += 1
        return marked

    def claim_for_dispatch(
        self,
        now: datetime,
        limit: int,
        user_cap: int,
        max_in_flight: int,
        limits: ProviderLimits | None = None,
    ) -> list[PendingJob]:
        jobs = self._jobs()
        flying = [
            j
            for j in jobs
            if j.status is Status.PROCESSING or (j.status is Status.PENDING and j.dispatched_at)
        ]
        busy = [j for j in flying if not j.waits_on_task]
        room = min(limit, max_in_flight - len(busy))
        due = [
            PendingJob(j.id, j.user_id, j.priority, j.run_after or j.created_at, j.input.provider)
            for j in jobs
            if j.status is Status.PENDING
            and j.dispatched_at is None
            and (j.run_after is None or j.run_after <= now)
        ]
        counts: dict[int, int] = {}
        by_provider: dict[str, int] = {}
        for j in busy:
            counts[j.user_id] = counts.get(j.user_id, 0) + 1
        for j in flying:
            by_provider[j.input.provider] = by_provider.get(j.input.provider, 0) + 1
        chosen = pick_dispatchable(
            due, counts, user_cap, max(room, 0), limits=limits, provider_in_flight=by_provider
        )
        self._mark_dispatched([c.job_id for c in chosen], now)
        return chosen

    def unmark(self, job_ids: Sequence[int]) -> int:
        jobs = [j for j in self._jobs() if j.id in job_ids and j.status is Status.PENDING]
        for job in jobs:
            job.dispatched_at = None
        return len(jobs)

    def redispatch_stale(self, dispatched_before: datetime) -> int:
        pending = [j for j in self._jobs() if j.status is Status.PENDING and j.dispatched_at]
        return self.unmark([j.id for j in pending if j.dispatched_at < dispatched_before])

    def orphaned(self, heartbeat_before: datetime, limit: int, *, after: int = 0) -> list[int]:
        alive = FakeWorkerRegistry(self.db).live(heartbeat_before)
        found = sorted(
            j.id for j in self._jobs() if j.id > after and j.is_orphaned(alive, heartbeat_before)
        )
        return found[:limit]


class FakeWorkerRegistry(Repo, WorkerRegistry):
    def beat(self, worker_id: str, hostname: str, pid: int) -> None:
        self.db.workers[worker_id] = (self.db.now, False)

    def stopped(self, worker_id: str) -> None:
        seen, _ = self.db.workers.get(worker_id, (self.db.now, False))
        self.db.workers[worker_id] = (seen, True)

    def live(self, heartbeat_before: datetime) -> set[str]:
        return {
            w
            for w, (seen, stopped) in self.db.workers.items()
            if not stopped and seen >= heartbeat_before
        }


class FakeQueue(JobQueue):
    """Records what is sent; `held` are the poll messages it holds until `take_poll`."""

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.polls: list[tuple[int, float]] = []
        self.held: list[tuple[int, int]] = []
        self.recovered: list[float] = []

    def send_runs(self, job_ids: Sequence[int]) -> None:
        self.runs.extend(job_ids)

    def send_poll(self, job_id: int, delay: float, token: int) -> None:
        self.polls.append((job_id, delay))
        self.held.append((job_id, token))

    def take_poll(self, job_id: int) -> tuple[int, int]:
        """Deliver the oldest poll message held for the job: its (job id, token)."""
        message = next(m for m in self.held if m[0] == job_id)
        self.held.remove(message)
        return message

    def poll_messages(self) -> list[tuple[int, int | None]]:
        return list(self.held)

    def discard_polls(self, polls: Collection[tuple[int, int | None]]) -> int:
        kept = [message for message in self.held if message not in polls]
        discarded, self.held = len(self.held) - len(kept), kept
        return discarded

    def recover(self, dead_after: float) -> None:
        self.recovered.append(dead_after)


class DoublingQueue(JobQueue):
    """Sends every message twice through `inner`, as an at-least-once broker may deliver it."""

    def __init__(self, inner: JobQueue) -> None:
        self.inner = inner
        self.sent = 0

    def send_runs(self, job_ids: Sequence[int]) -> None:
        for _ in range(2):
            self.inner.send_runs(job_ids)
            self.sent += len(job_ids)

    def send_poll(self, job_id: int, delay: float, token: int) -> None:
        for _ in range(2):
            self.inner.send_poll(job_id, delay, token)
            self.sent += 1

    def poll_messages(self) -> list[tuple[int, int | None]]:
        return self.inner.poll_messages()

    def discard_polls(self, polls: Collection[tuple[int, int | None]]) -> int:
        return self.inner.discard_polls(polls)

    def recover(self, dead_after: float) -> None:
        self.inner.recover(dead_after)


def fake_image(call: ProviderCall, fmt: str = "png") -> bytes:
    """The bytes FakeProvider makes for a call."""
    width, height = call.params.get("width", 64), call.params.get("height", 64)
    return f"IMG:{fmt}:{width}x{height}:{call.prompt}:{call.seed}".encode()


class FakeProvider(ProviderGateway):
    """Answers at once, after `polls` waits, or with a scripted error per submit."""

    name = "fake"

    def __init__(self, polls: int = 0, errors: list[ProviderError] | None = None) -> None:
        self.polls = polls
        self.errors = list(errors or [])
        self.calls: list[ProviderCall] = []
        self.tasks: dict[str, tuple[ProviderCall, int]] = {}

    def submit(self, call: ProviderCall) -> Outcome:
        self.calls.append(call)
        if self.errors:
            raise self.errors.pop(0)
        if self.polls:
            self.tasks[f"t{call.job_id}"] = (call, self.polls)
            return Waiting(
                task_id=f"t{call.job_id}",
                polling_url=f"fake://t{call.job_id}",
                poll_after=0.5,
                provider_cost=SUBMIT_COST,
            )
        return Finished(outputs=(ProviderOutput(data=fake_image(call)),), provider_cost=RUN_COST)

    def poll(self, task_id: str, polling_url: str | None) -> Outcome:
        call, left = self.tasks[task_id]
        if left > 1:
            self.tasks[task_id] = (call, left - 1)
            return Waiting(task_id=task_id, polling_url=polling_url, poll_after=0.5)
        return Finished(outputs=(ProviderOutput(url=f"fake://out/{task_id}"),))

    def fetch(self, url: str) -> bytes:
        task_id = url.rsplit("/", 1)[-1]
        return fake_image(self.tasks[task_id][0])


class FakeMetrics(Metrics):
    """Records what the pipeline reports."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, str]] = []
        self.dispatched: list[str] = []
        self.errors: list[tuple[str, str]] = []

    def job_finished(self, status: str, provider: str, seconds: float) -> None:
        self.finished.append((status, provider))

    def job_dispatched(self, lag_seconds: float, tier: str) -> None:
        self.dispatched.append(tier)

    def provider_error(self, provider: str, code: str) -> None:
        self.errors.append((provider, code))
