"""Dispatch order, per-user caps and retry delays (ARCHITECTURE §4)."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.application.ports import PendingJob
from genmedia.domain.scheduling import ProviderLimits, pick_dispatchable, retry_delay


def job(job_id: int, user: int, priority: int = 0, provider: str = "local") -> PendingJob:
    return PendingJob(job_id, user, priority, provider=provider)


def test_higher_priority_goes_first_then_the_oldest() -> None:
    jobs = [job(1, 1), job(2, 2, priority=10), job(3, 3)]
    assert [j.job_id for j in pick_dispatchable(jobs, {}, user_cap=5, room=3)] == [2, 1, 3]


def test_a_user_at_the_cap_waits_while_others_go() -> None:
    jobs = [job(i, 1) for i in range(1, 10)] + [job(10, 2)]
    chosen = pick_dispatchable(jobs, {1: 2}, user_cap=3, room=5)
    assert sorted(j.job_id for j in chosen) == [1, 10]


def test_a_user_with_fewer_jobs_in_flight_is_sent_first_within_a_priority() -> None:
    jobs = [job(1, 1), job(2, 1), job(3, 1), job(4, 2), job(5, 3, priority=5)]
    chosen = pick_dispatchable(jobs, {1: 1}, user_cap=3, room=5)
    assert [j.job_id for j in chosen] == [5, 4, 1, 2]


def test_no_more_than_the_room_is_dispatched() -> None:
    jobs = [job(i, i) for i in range(1, 10)]
    assert len(pick_dispatchable(jobs, {}, user_cap=1, room=4)) == 4


@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(0, 2)), max_size=40),
    st.dictionaries(st.integers(1, 5), st.integers(0, 4)),
    st.integers(1, 4),
    st.integers(0, 20),
)
def test_the_pick_never_breaks_the_cap_or_the_room(
    specs: list[tuple[int, int]], in_flight: dict[int, int], cap: int, room: int
) -> None:
    jobs = [job(i, user, prio) for i, (user, prio) in enumerate(specs, start=1)]
    chosen = pick_dispatchable(jobs, in_flight, cap, room)
    assert len(chosen) <= room
    for user in {j.user_id for j in chosen}:
        assert in_flight.get(user, 0) + sum(j.user_id == user for j in chosen) <= cap
    assert [-j.priority for j in chosen] == sorted(-j.priority for j in chosen)
    for user in {j.user_id for j in chosen}:
        own = [(-j.priority, j.job_id) for j in chosen if j.user_id == user]
        assert own == sorted(own)


def test_retry_delays_grow_until_the_cap() -> None:
    rng = random.Random(1)
    delays = [retry_delay(n, base=1, cap=8, rng=rng) for n in range(1, 7)]
    assert all(0.5 <= d <= 1 for d in delays[:1])
    assert all(b > a for a, b in itertools.pairwise(delays[:4]))
    assert all(4 <= d <= 8 for d in delays[3:])


def test_a_retry_after_is_a_floor() -> None:
    assert retry_delay(1, base=1, cap=8, retry_after=30) == 30


def test_a_provider_at_its_limit_waits_while_other_providers_go() -> None:
    jobs = [job(i, i, provider="fal") for i in range(1, 6)] + [job(6, 6, provider="bfl")]
    limits = ProviderLimits({"fal": 3})
    chosen = pick_dispatchable(
        jobs, {}, user_cap=5, room=10, limits=limits, provider_in_flight={"fal": 1}
    )
    assert [j.job_id for j in chosen] == [1, 2, 6]


def test_a_provider_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="'fal'"):
        ProviderLimits({"fal": 0})


def test_the_providers_at_their_limit_are_named_for_the_database_to_skip() -> None:
    limits = ProviderLimits({"fal": 2, "bfl": 5, "replicate": 1})
    assert limits.full({"fal": 2, "bfl": 4}) == ["fal"]


@given(
    st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["fal", "bfl", "local"])), max_size=40),
    st.dictionaries(st.sampled_from(["fal", "bfl", "local"]), st.integers(0, 4)),
    st.dictionaries(st.sampled_from(["fal", "bfl"]), st.integers(1, 4)),
    st.integers(0, 20),
)
def test_the_pick_never_puts_a_provider_over_its_limit(
    specs: list[tuple[int, str]], out: dict[str, int], caps: dict[str, int], room: int
) -> None:
    jobs = [job(i, user, provider=name) for i, (user, name) in enumerate(specs, start=1)]
    limits = ProviderLimits(caps)
    chosen = pick_dispatchable(jobs, {}, 40, room, limits=limits, provider_in_flight=out)
    for name, cap in caps.items():
        sent = sum(j.provider == name for j in chosen)
        assert sent == 0 or out.get(name, 0) + sent <= cap
    skipped = [j for j in jobs if j not in chosen and limits.allows(j.provider, 0)]
    if len(chosen) < room:  # a job held back had its provider full
        for held in skipped:
            sent = sum(j.provider == held.provider for j in chosen)
            assert not limits.allows(held.provider, out.get(held.provider, 0) + sent)
