"""Submitting, estimating and cancelling requests (GEN-1, GEN-2, GEN-5, GEN-6)."""

from __future__ import annotations

import pytest

from genmedia.application.generation.commands import CancelRequest, SubmitRequest
from genmedia.application.generation.requests import (
    cancel_request,
    estimate_request,
    submit_request,
)
from genmedia.domain.errors import InvalidAttachment, InvalidValue, NotFound, NothingToCancel
from genmedia.domain.media import Media
from genmedia.domain.status import Status
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeUnitOfWork


def portrait(user: User, **kw: object) -> SubmitRequest:
    fields: dict[str, object] = {
        "user_id": user.id,
        "template": "studio-portrait",
        "user_prompt": "a fox",
        "selected_options": {"hairColor": "red", "backgrounds": ["beach", "city"]},
        "input_metadata": {"batch_size": 4, "seed": 7},
    }
    return SubmitRequest(**{**fields, **kw})  # type: ignore[arg-type]


def test_a_template_request_stores_one_pending_job_per_batch_item(uow, clock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    stored = uow.db.requests[request.id]
    assert [j.status for j in stored.jobs] == [Status.PENDING] * 4
    assert [j.input.seed for j in stored.jobs] == [7, 8, 9, 10]
    assert stored.status is Status.PENDING


def test_the_final_prompt_joins_system_template_options_and_user_prompt(uow, clock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    assert request.final_prompt == (
        "high quality, detailed, professional portrait photo of a person, red hair, "
        "beach at sunset, city street, a fox"
    )


def test_defaults_fill_options_the_user_did_not_pick(uow, clock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    assert request.selected_options["aspectRatio"] == "1:1"
    assert request.selected_options["glasses"] == "no"
    assert request.generation_params["params"]["aspect_ratio"] == "1:1"


def test_the_estimate_prices_every_job_and_stores_nothing(uow, clock, user) -> None:
    estimate = estimate_request(portrait(user), uow=uow, clock=clock)
    # feature 1 + template 2 + provider model 1, for each of 4 jobs
    assert (estimate.estimated_cost, estimate.job_count) == (16, 4)
    assert uow.db.requests == {}


def test_a_plain_prompt_runs_on_the_feature_model(uow, clock, user) -> None:
    feature = uow.db.features[min(uow.db.features)]
    request = submit_request(
        SubmitRequest(user_id=user.id or 0, feature_id=feature.id, user_prompt="a lighthouse"),
        uow=uow,
        clock=clock,
    )
    assert request.jobs[0].input.model == "local-t2i"
    assert request.template_id is None


def test_a_request_without_feature_or_template_names_the_feature_field(uow, clock, user) -> None:
    with pytest.raises(InvalidValue) as err:
        submit_request(SubmitRequest(user_id=user.id or 0, user_prompt="x"), uow=uow, clock=clock)
    assert err.value.field == "feature_id"


def test_an_edit_records_its_input_media(uow, clock, user, photo: Media) -> None:
    request = submit_request(
        SubmitRequest(
            user_id=user.id or 0,
            template="restyle-photo",
            media_ids=[photo.id or 0],
            selected_options={"style": "oil"},
        ),
        uow=uow,
        clock=clock,
    )
    assert request.input_media_ids == [photo.id]
    assert request.user_media_urls == ["uploads/photo.png"]
    assert request.jobs[0].input.images[0].storage_path == "uploads/photo.png"


def test_another_users_media_cannot_be_attached(uow, clock, user, photo: Media) -> None:
    other = uow.db.users[min(uow.db.users)]
    with pytest.raises(InvalidAttachment) as err:
        submit_request(
            SubmitRequest(
                user_id=other.id or 0,
                template="restyle-photo",
                media_ids=[photo.id or 0],
                selected_options={"style": "oil"},
            ),
            uow=uow,
            clock=clock,
        )
    assert err.value.field == "media_ids.image"


def test_cancel_moves_pending_jobs_to_cancelled(uow, clock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    cancelled = cancel_request(
        CancelRequest(user_id=user.id or 0, request_id=request.id or 0), uow=uow, clock=clock
    )
    assert cancelled.status is Status.CANCELLED
    assert all(j.status is Status.CANCELLED for j in uow.db.requests[request.id].jobs)


def test_cancelling_twice_finds_nothing_to_cancel(uow, clock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    cmd = CancelRequest(user_id=user.id or 0, request_id=request.id or 0)
    cancel_request(cmd, uow=uow, clock=clock)
    with pytest.raises(NothingToCancel):
        cancel_request(cmd, uow=uow, clock=clock)


def test_another_user_cannot_cancel_a_request(uow: FakeUnitOfWork, clock: FakeClock, user) -> None:
    request = submit_request(portrait(user), uow=uow, clock=clock)
    with pytest.raises(NotFound):
        cancel_request(CancelRequest(user_id=999, request_id=request.id or 0), uow=uow, clock=clock)
