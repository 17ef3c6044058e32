"""Batches (GEN-7): one request per reference image reserved together, their progress
followed from the requests, and the photo facts their media keep."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genmedia.application.generation.batches import batch_of, list_batches, submit_batch
from genmedia.application.generation.commands import SubmitBatch
from genmedia.domain.batch import BatchProgress, BatchStatus, Made, batch_progress
from genmedia.domain.errors import (
    FieldError,
    InsufficientCredits,
    InvalidInput,
    InvalidValue,
    NotFound,
)
from genmedia.domain.job import Job
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.photos import PhotoQuery, has_facts, photo_facts
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status, request_status
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeUnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC)
_ids = itertools.count(1)
OPTIONS = {"hairColor": "red", "backgrounds": ["beach", "city"], "glasses": "yes"}


def _upload(uow: FakeUnitOfWork, user_id: int) -> int:
    info = ImageInfo(file_format="png", width=64, height=64, file_size=10, blurhash="L00000")
    with uow:
        media = uow.media.add(
            Media(user_id=user_id, kind=MediaKind.UPLOADED, storage_path="u/p.png", info=info)
        )
        uow.commit()
    return media.id or 0


def _batch(user: User, references: list[int], **kw: object) -> SubmitBatch:
    fields: dict[str, object] = {
        "user_id": user.id,
        "template": "headshot-session",
        "reference_media_ids": references,
        "selected_options": OPTIONS,
    }
    return SubmitBatch(**{**fields, **kw})  # type: ignore[arg-type]


def _request(*jobs: tuple[Status, int]) -> GenerationRequest:
    made = [
        Job(user_id=1, feature_id=1, status=status, credits_used=credits, completed_at=T0)
        for status, credits in jobs
    ]
    request = GenerationRequest(id=next(_ids), user_id=1, feature_id=1, jobs=made, updated_at=T0)
    request.refresh_status()
    return request


def _made(requests: list[GenerationRequest]) -> dict[int, Made]:
    """One image per completed job, as the jobs' outputs make them."""
    done = {r.id or 0: sum(j.status is Status.COMPLETED for j in r.jobs) for r in requests}
    return {rid: Made(images, T0) for rid, images in done.items() if images}


def _progress(*requests: GenerationRequest) -> BatchProgress:
    return batch_progress(list(requests), _made(list(requests)))


def test_a_batch_makes_one_request_per_reference_with_its_image_as_input(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    refs = [_upload(uow, user.id or 0), _upload(uow, user.id or 0)]
    batch = submit_batch(_batch(user, refs), uow=uow, clock=clock)
    stored = [uow.db.requests[rid] for rid in batch.request_ids]
    assert [r.input_media_ids for r in stored] == [[refs[0]], [refs[1]]]
    assert [len(r.jobs) for r in stored] == [4, 4]
    assert {r.batch_id for r in stored} == {batch.id}
    assert batch.progress.total_images == 8
    assert batch.progress.status is BatchStatus.GENERATING


def test_a_batch_reserves_every_job_of_every_request_in_one_movement(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    refs = [_upload(uow, user.id or 0), _upload(uow, user.id or 0)]
    batch = submit_batch(_batch(user, refs), uow=uow, clock=clock)
    # feature 1 + template 2 + provider model 1, for each of 8 jobs
    assert batch.credits_reserved == 32
    assert uow.db.wallets[user.id or 0].held == 32
    assert len(uow.db.holds) == 8


def test_a_batch_beyond_the_balance_stores_and_reserves_nothing(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    refs = [_upload(uow, user.id or 0) for _ in range(4)]
    with pytest.raises(InsufficientCredits):
        submit_batch(_batch(user, refs, images_per_reference=8), uow=uow, clock=clock)
    assert (uow.db.requests, uow.db.batches, uow.db.holds) == ({}, {}, {})
    assert uow.db.wallets[user.id or 0].held == 0


def test_another_users_reference_is_refused_naming_its_place_in_the_list(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    mine, theirs = _upload(uow, user.id or 0), _upload(uow, 999)
    with pytest.raises(InvalidValue) as refused:
        submit_batch(_batch(user, [mine, theirs]), uow=uow, clock=clock)
    assert (refused.value.field, refused.value.message) == (
        "reference_media_ids.1",
        f"media {theirs} not found",
    )
    assert uow.db.requests == {}


def test_each_broken_rule_of_a_batch_is_named_at_once(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    ref = _upload(uow, user.id or 0)
    cmd = _batch(
        user,
        [ref, ref, 123456],
        images_per_reference=0,
        input_metadata={"batch_size": 2},
        selected_options={"hairColor": "green"},
    )
    with pytest.raises(InvalidInput) as refused:
        submit_batch(cmd, uow=uow, clock=clock)
    assert {e.field for e in refused.value.errors} == {
        "reference_media_ids.1",
        "reference_media_ids.2",
        "images_per_reference",
        "input_metadata.batch_size",
    }


def test_more_images_per_reference_than_the_model_makes_names_images_per_reference(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    cmd = _batch(user, [_upload(uow, user.id or 0)], images_per_reference=12)
    with pytest.raises(FieldError) as refused:
        submit_batch(cmd, uow=uow, clock=clock)
    assert refused.value.field == "images_per_reference"


def test_a_template_without_an_image_slot_takes_no_batch(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    cmd = _batch(user, [_upload(uow, user.id or 0)], template="studio-portrait")
    with pytest.raises(InvalidValue) as refused:
        submit_batch(cmd, uow=uow, clock=clock)
    assert refused.value.field == "reference_media_ids"


def test_each_job_of_a_batch_keeps_the_photo_facts_of_its_options_reference_and_batch(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    ref = _upload(uow, user.id or 0)
    batch = submit_batch(_batch(user, [ref]), uow=uow, clock=clock)
    facts = uow.db.requests[batch.request_ids[0]].jobs[0].input.media_facts
    assert facts == {
        "aspectRatio": "1:1", "glasses": "yes", "hairColor": "red", "hairStyle": "no-preference",
        "backgrounds": ["beach", "city"], "referenceImageId": ref, "generationBatchId": batch.id,
    }  # fmt: skip


def test_a_user_reads_their_batch_with_its_requests_and_no_one_else_does(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    batch = submit_batch(_batch(user, [_upload(uow, user.id or 0)]), uow=uow, clock=clock)
    found = batch_of(user.id or 0, batch.id or 0, uow=uow)
    assert found.request_ids == batch.request_ids
    with pytest.raises(NotFound):
        batch_of(999, batch.id or 0, uow=uow)


def test_batches_are_listed_newest_first_with_their_requests(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    ref = _upload(uow, user.id or 0)
    ids = [submit_batch(_batch(user, [ref]), uow=uow, clock=clock).id for _ in range(3)]
    first = list_batches(user.id or 0, uow=uow, limit=2)
    rest = list_batches(user.id or 0, uow=uow, after=first.next_after, limit=2)
    assert [b.id for b in first.items + rest.items] == ids[::-1]
    assert all(len(b.requests) == 1 for b in first.items + rest.items)


def test_a_batch_generates_until_every_request_finished() -> None:
    progress = _progress(_request((Status.COMPLETED, 4)), _request((Status.PENDING, 0)))
    assert progress.status is BatchStatus.GENERATING
    assert progress.completed_at is None


def test_a_batch_with_some_images_made_is_completed_and_counts_only_those() -> None:
    done = _request((Status.COMPLETED, 4), (Status.FAILED, 0))
    lost = _request((Status.CANCELLED, 0))
    progress = _progress(done, lost)
    assert (progress.status, progress.total_images, progress.credits_used) == (
        BatchStatus.COMPLETED,
        1,
        4,
    )
    assert progress.completed_at == T0


def test_a_batch_that_made_no_image_failed() -> None:
    progress = _progress(_request((Status.FAILED, 0)), _request((Status.CANCELLED, 0)))
    assert (progress.status, progress.total_images) == (BatchStatus.FAILED, 0)


JOB_STATES = st.lists(
    st.lists(
        st.tuples(st.sampled_from(list(Status)), st.integers(min_value=0, max_value=9)),
        min_size=1,
        max_size=4,
    ),
    min_size=1,
    max_size=5,
)


@given(JOB_STATES)
def test_a_batch_follows_its_requests_as_a_request_follows_its_jobs(
    states: list[list[tuple[Status, int]]],
) -> None:
    requests = [_request(*jobs) for jobs in states]
    progress = _progress(*requests)
    every_job = [status for jobs in states for status, _ in jobs]
    as_request = request_status(every_job, started=True)
    expected = {
        Status.COMPLETED: BatchStatus.COMPLETED,
        Status.FAILED: BatchStatus.FAILED,
        Status.CANCELLED: BatchStatus.FAILED,
    }.get(as_request, BatchStatus.GENERATING)
    assert progress.status is expected
    assert progress.images_done <= progress.total_images <= len(every_job)
    assert progress.credits_used == sum(
        c for jobs in states for s, c in jobs if s is Status.COMPLETED
    )
    assert (progress.completed_at is None) == (expected is BatchStatus.GENERATING)


def test_photo_facts_keep_seed_003s_groups_and_lists_stay_lists() -> None:
    facts = photo_facts({"hairColor": "red", "styles": "neon", "mood": "calm"}, 12)
    assert facts == {"hairColor": "red", "styles": ["neon"], "referenceImageId": 12}


def test_a_photo_query_finds_media_whose_facts_hold_every_value_asked() -> None:
    stored = {"hairColor": "red", "backgrounds": ["beach", "city"], "referenceImageId": 3}
    assert has_facts(stored, PhotoQuery(hair_color="red", background="city").facts())
    assert has_facts(stored, PhotoQuery().facts())
    assert not has_facts(stored, PhotoQuery(background="forest").facts())
    assert not has_facts(stored, PhotoQuery(reference_image_id=4).facts())
    assert not has_facts({}, PhotoQuery(style="neon").facts())


def test_a_batch_finished_long_after_it_began_reports_its_last_job() -> None:
    late = T0 + timedelta(hours=1)
    first, second = _request((Status.COMPLETED, 1)), _request((Status.COMPLETED, 1))
    second.jobs[0].completed_at = late
    assert _progress(first, second).completed_at == late


def test_a_finished_batch_keeps_its_images_and_end_once_retention_deleted_its_jobs() -> None:
    first, second = _request((Status.COMPLETED, 2)), _request((Status.FAILED, 0))
    made = _made([first, second])
    before = batch_progress([first, second], made)
    first.jobs.clear()
    second.jobs.clear()
    assert batch_progress([first, second], made) == before
