"""Which jobs run next, and when a failed attempt runs again (ARCHITECTURE §4).

Priority: higher first, then oldest. Fairness: no user has more than `user_cap` jobs holding
workers (dispatched or running, not waiting on a provider's task), so one user's backlog
cannot starve another's single job of workers. A provider's limit is shared: one user's
waiting tasks may fill it (the user cap does not count them).
Capacity: no more than `room` new messages are handed to the broker at once, so the
backlog waits in the database, in priority order, not in the broker's FIFO queues. A job
that waits on its provider's task (`PollChain.waits_on_task`) holds no worker: it counts
neither against the room nor against its user's cap, so thousands of tasks can be in
flight beside a worker's few threads. A provider with a concurrency limit has no more than
that many jobs in flight (its calls and the tasks it holds for us, waiting ones included),
so the limit is kept by the dispatcher, not by threads that wait.
Retries: `retry_delay` spaces the attempts; `Job.after_failure` decides, for the runner and
the rescuer alike, what follows a `Setback`: another attempt (`Retry`), another poll of the
provider's task (`PollAgain`), or the end of the job (`Fail`), from its attempts and its
deadline.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

import attrs

PAID_TIER = "paid"
FREE_TIER = "free"
TIERS = (PAID_TIER, FREE_TIER)


def tier_of(priority: int) -> str:
    """The priority tier of a job: paid work has a priority above zero, free work has none."""
    return PAID_TIER if priority > 0 else FREE_TIER


class Candidate(Protocol):
    """A pending job as the dispatcher sees it."""

    @property
    def job_id(self) -> int: ...

    @property
    def user_id(self) -> int: ...

    @property
    def priority(self) -> int: ...

    @property
    def provider(self) -> str: ...


C = TypeVar("C", bound=Candidate)


@attrs.frozen
class ProviderLimits:
    """Per provider, at most how many of its jobs may be in flight; others are unlimited."""

    caps: Mapping[str, int] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for provider, cap in self.caps.items():
            if cap < 1:
                raise ValueError(f"the concurrency limit of {provider!r} must be at least 1")

    def full(self, in_flight: Mapping[str, int]) -> list[str]:
        """The providers that have their limit of jobs in flight already."""
        return sorted(p for p, cap in self.caps.items() if in_flight.get(p, 0) >= cap)

    def allows(self, provider: str, in_flight: int) -> bool:
        """Whether one more job of `provider` may go, with `in_flight` of its jobs out."""
        return provider not in self.caps or in_flight < self.caps[provider]


def pick_dispatchable(
    candidates: Sequence[C],
    in_flight: Mapping[int, int],
    user_cap: int,
    room: int,
    *,
    limits: ProviderLimits | None = None,
    provider_in_flight: Mapping[str, int] | None = None,
) -> list[C]:
    """The candidates to dispatch now, within the caps and the room, in the order to send
    them: no user above `user_cap` jobs in flight (`in_flight` by user), no provider above
    its `limits` (`provider_in_flight` by provider).

    Within a priority, the jobs are interleaved by user: a user with fewer jobs in flight
    goes first, so one user's refills do not queue ahead of another user's first job.
    """
    limits = limits or ProviderLimits()
    chosen: list[tuple[int, int, int, C]] = []
    counts = dict(in_flight)
    providers = dict(provider_in_flight or {})
    for job in sorted(candidates, key=lambda c: (-c.priority, c.job_id)):
        if len(chosen) >= room:
            break
        slot = counts.get(job.user_id, 0)
        out = providers.get(job.provider, 0)
        if slot >= user_cap or not limits.allows(job.provider, out):
            continue
        counts[job.user_id] = slot + 1
        providers[job.provider] = out + 1
        chosen.append((-job.priority, slot, job.job_id, job))
    return [job for *_, job in sorted(chosen, key=lambda c: c[:3])]


def retry_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before attempt `attempt + 1`: exponential, jittered, capped.

    The delay doubles with each attempt up to `cap`; jitter takes it anywhere in its upper
    half so that retries of many jobs spread out. A provider's Retry-After is a floor.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


# The longest a task's progress may put off its next poll.
MAX_PROGRESS_WAIT = 60.0


def poll_delay(
    asked: float,
    *,
    webhook_expected: bool,
    webhook_pace: float,
    deadline_in: float | None = None,
    age: float | None = None,
    progress: float | None = None,
) -> float:
    """Seconds until a waiting task is polled: what the provider asked, or later, when the
    task's `progress` (0 to 1, if the provider reports it) after `age` seconds says it
    will be done at the pace so far (at most MAX_PROGRESS_WAIT), so that a long task is not
    polled every second; while its webhook is expected to say when the task is done, at
    least `webhook_pace` (polling is then only the safety net of a webhook that never
    came); never later than the job's deadline, `deadline_in` seconds away, where its task
    is cancelled."""
    delay = asked
    if progress is not None and age is not None and 0 < progress < 1:
        delay = max(delay, min(age * (1 - progress) / progress, MAX_PROGRESS_WAIT))
    if webhook_expected:
        delay = max(delay, webhook_pace)
    return delay if deadline_in is None else max(min(delay, deadline_in), 0.0)


def seconds_until(moment: datetime | None, now: datetime) -> float | None:
    """Seconds from `now` until `moment` (negative once it has passed); None without one."""
    return None if moment is None else (moment - now).total_seconds()


class Setback(enum.StrEnum):
    """What cut a job's run short, as far as its attempts are concerned."""

    # Its provider call was made and failed in a passing way (5xx, timeout, storage …).
    FAILED = "failed"
    # Its provider asked it to wait (429, Retry-After): no attempt is spent.
    RATE_LIMITED = "rate_limited"
    # Its worker stopped: the attempt is spent only if its provider call had begun.
    WORKER_LOST = "worker_lost"


@attrs.frozen
class Retry:
    """Another attempt follows, not before `run_after` (None: at once); until then the job
    has `attempts` spent."""

    run_after: datetime | None
    attempts: int


@attrs.frozen
class PollAgain:
    """The job goes on waiting on its provider's task, polled again at `at`: a task the
    provider has is never submitted again."""

    at: datetime


@attrs.frozen
class Fail:
    """The job ends, for this reason, with `attempts` spent."""

    reason: str
    attempts: int
