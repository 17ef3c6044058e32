"""A job waiting on its provider's task: exactly one poll chain carries it on (ARCHITECTURE §4).

Each wait for a poll gives the job a new lease, which the one poll message sent for it
carries as its token. A worker takes the message by naming itself on the job, guarded by
the token and by the job having no worker yet; another copy of the message (delivery is
at least once), or a message of an older chain, finds the job taken or its lease moved
on and is dropped (and a stale message the queue still holds may be discarded). After its
poll the worker waits for the next one (a new lease, a new message), so no chain forks. A
verified webhook moves a later poll to now the same way (`hurry_poll`). A
worker that dies while polling is let go of (`hand_over`): the queue gives its message
back, and that message carries the job on.
"""

from __future__ import annotations

from datetime import datetime

from genmedia.domain.errors import IllegalTransition
from genmedia.domain.provider_cost import ProviderCost
from genmedia.domain.status import Status, check_job_transition


class PollChain:
    """The acts of a job that waits on its provider's task (part of `Job`)."""

    status: Status
    worker_id: str | None
    lease: int
    run_after: datetime | None
    provider_task_id: str | None
    provider_polling_url: str | None
    provider_cost: ProviderCost | None

    def record_task(
        self, task_id: str, polling_url: str | None, cost: ProviderCost | None, poll_at: datetime
    ) -> int:
        """Remember the provider's handle for an asynchronous task and what submitting it
        cost (if the provider said), then wait for its poll at `poll_at`; the poll's token."""
        check_job_transition(self.status, Status.COMPLETED)
        self.provider_task_id = task_id
        self.provider_polling_url = polling_url
        if cost is not None:
            self.provider_cost = cost
        return self.await_poll(poll_at)

    def await_poll(self, at: datetime) -> int:
        """Wait on the provider's task until a poll at `at`, with no worker: the one poll
        message sent now, carrying the token returned (the new lease), carries the job on."""
        if self.status is not Status.PROCESSING or self.provider_task_id is None:
            raise IllegalTransition("job", self.status.value, "waiting on a poll")
        self.lease += 1
        self.worker_id = None
        self.run_after = at
        return self.lease

    @property
    def waits_on_task(self) -> bool:
        """Whether the job runs as a task at its provider: it holds no worker between its
        polls, so it counts against its provider's concurrency only, not against the
        workers' capacity or its user's share of it (`domain.scheduling`)."""
        return self.status is Status.PROCESSING and self.provider_task_id is not None

    def is_current_poll(self, token: int | None) -> bool:
        """Whether a poll message with this token belongs to the job's poll chain: the job
        waits on its provider's task under that lease. Any other poll message is stale."""
        return self.waits_on_task and self.lease == token

    def awaits_poll(self, token: int) -> bool:
        """Whether a poll message with this token carries the job on now: it belongs to the
        job's poll chain and no worker is polling the job."""
        return self.is_current_poll(token) and self.worker_id is None

    def take_poll(self, token: int, worker_id: str) -> None:
        """The worker that got the poll message with `token` polls the task now; another
        copy of that message finds the job taken."""
        if not self.awaits_poll(token):
            raise IllegalTransition("job", f"lease {self.lease}", f"polled with {token}")
        self.worker_id = worker_id

    def hurry_poll(self, now: datetime) -> int | None:
        """The provider said (by a verified webhook) that its task may have finished: if the
        job waits for a later poll, wait for one now instead; the token of the one poll
        message to send now (a new lease: the message sent before is stale). None when
        nothing is to hurry: a worker polls the task now, a poll is due already, or the job
        waits on no task."""
        waiting = self.status is Status.PROCESSING and self.provider_task_id is not None
        if not waiting or self.worker_id is not None:
            return None
        if self.run_after is not None and self.run_after <= now:
            return None
        return self.await_poll(now)

    def hand_over(self) -> None:
        """Let go of the worker that was polling the provider's task (it stopped): the poll
        message it took, given back by the queue, carries the job on."""
        if self.status is not Status.PROCESSING or self.provider_task_id is None:
            raise IllegalTransition("job", self.status.value, "handed over")
        self.worker_id = None
