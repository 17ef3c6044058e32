"""How soon a waiting task is polled again: the provider's pace, its progress, its webhook
and the job's deadline (issue #18)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.ports import Outcome, ProviderCall, Waiting
from genmedia.domain.scheduling import MAX_PROGRESS_WAIT, poll_delay
from tests.fakes import FakeProvider, FakeQueue
from tests.runners import fake_runner


def pace(asked: float = 1.0, **options: float | None) -> float:
    return poll_delay(asked, webhook_expected=False, webhook_pace=30, **options)  # type: ignore[arg-type]


def test_a_task_that_reports_progress_is_polled_when_it_should_be_done_at_its_pace_so_far() -> None:
    assert pace(age=3, progress=0.1) == pytest.approx(27)  # 10 % in 3 s: 27 s to go
    assert pace(age=20, progress=0.8) == pytest.approx(5)
    assert pace(age=1, progress=0.999) == 1.0  # never sooner than the provider's pace


def test_progress_puts_a_poll_off_by_at_most_a_minute_and_never_past_the_deadline() -> None:
    assert pace(age=10, progress=0.01) == MAX_PROGRESS_WAIT
    assert pace(age=10, progress=0.01, deadline_in=12) == 12


@pytest.mark.parametrize("progress", [None, 0.0, 1.0])
def test_without_usable_progress_a_task_is_polled_at_the_providers_pace(progress) -> None:
    assert pace(2.0, age=10, progress=progress) == 2.0


@given(
    asked=st.floats(0, 100),
    age=st.floats(0, 3600),
    progress=st.none() | st.floats(0, 1),
    webhook=st.booleans(),
    deadline_in=st.none() | st.floats(-10, 3600),
)
def test_a_poll_is_never_sooner_than_asked_nor_later_than_the_deadline(
    asked, age, progress, webhook, deadline_in
) -> None:
    def delay(deadline: float | None) -> float:
        return poll_delay(
            asked,
            webhook_expected=webhook,
            webhook_pace=30,
            deadline_in=deadline,
            age=age,
            progress=progress,
        )

    floor = max(asked, 30) if webhook else asked
    unbounded = delay(None)
    assert floor <= unbounded <= max(floor, MAX_PROGRESS_WAIT)
    if deadline_in is not None:
        assert delay(deadline_in) == max(min(unbounded, deadline_in), 0)


class HalfwayAfterTenSeconds(FakeProvider):
    """Its task reports 25 % done: the job's call began ten seconds before the answer."""

    def __init__(self, clock) -> None:
        super().__init__()
        self._clock = clock

    def submit(self, call: ProviderCall) -> Outcome:
        self._clock.advance(10)
        return Waiting(task_id=f"t{call.job_id}", poll_after=1.0, progress=0.25)


def test_the_runner_polls_a_task_again_when_its_progress_says_it_will_be_done(
    uow, clock, user
) -> None:
    request = submit_request(
        SubmitRequest(user_id=user.id, template="neon-city"), uow=uow, clock=clock
    )
    queue = FakeQueue()
    work = fake_runner(uow, clock, {"local": HalfwayAfterTenSeconds(clock)}, queue)
    job_id = request.jobs[0].id
    work.run(job_id)
    assert queue.polls == [(job_id, pytest.approx(30.0))]  # 25 % in 10 s: 30 s to go
