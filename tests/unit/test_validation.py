"""Each broken rule raises its own domain error naming the field (GEN-3, GEN-4)."""

from __future__ import annotations

import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.domain.errors import (
    IllegalTransition,
    InvalidInput,
    InvalidParam,
    MissingImageSlot,
    MissingRequiredOption,
    TooManyOptions,
    UnknownOption,
)
from genmedia.domain.job import Job
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeUnitOfWork


def submit(uow: FakeUnitOfWork, clock: FakeClock, user: User, **kw: object) -> None:
    submit_request(SubmitRequest(user_id=user.id or 0, **kw), uow=uow, clock=clock)  # type: ignore[arg-type]


def test_an_illegal_status_transition_raises_illegal_transition() -> None:
    job = Job(user_id=1, feature_id=1)
    with pytest.raises(IllegalTransition) as err:
        job.complete(FakeClock().now(), {}, 1)
    assert err.value.field == "status"
    assert "pending to completed" in err.value.message


def test_an_unknown_option_value_raises_unknown_option(uow, clock, user) -> None:
    with pytest.raises(UnknownOption) as err:
        submit(
            uow, clock, user, template="studio-portrait", selected_options={"hairColor": "green"}
        )
    assert err.value.field == "selected_options.hairColor"


def test_an_unknown_option_group_raises_unknown_option(uow, clock, user) -> None:
    with pytest.raises(UnknownOption) as err:
        submit(uow, clock, user, template="neon-city", selected_options={"mood": "calm"})
    assert err.value.field == "selected_options.mood"


def test_a_missing_required_option_raises_missing_required_option(uow, clock, user, photo) -> None:
    with pytest.raises(MissingRequiredOption) as err:
        submit(uow, clock, user, template="restyle-photo", media_ids=[photo.id])
    assert err.value.field == "selected_options.style"


def test_two_values_in_a_single_choice_group_raise_too_many_options(uow, clock, user) -> None:
    with pytest.raises(TooManyOptions) as err:
        submit(
            uow,
            clock,
            user,
            template="studio-portrait",
            selected_options={"glasses": ["yes", "no"]},
        )
    assert err.value.field == "selected_options.glasses"


def test_a_param_outside_its_schema_raises_invalid_param(uow, clock, user) -> None:
    with pytest.raises(InvalidParam) as err:
        submit(uow, clock, user, template="neon-city", params={"width": 5000})
    assert err.value.field == "params.width"


def test_an_unknown_param_raises_invalid_param(uow, clock, user) -> None:
    with pytest.raises(InvalidParam) as err:
        submit(uow, clock, user, template="neon-city", params={"steps": 20})
    assert err.value.field == "params.steps"


def test_a_batch_above_the_model_limit_raises_invalid_param(uow, clock, user) -> None:
    with pytest.raises(InvalidParam) as err:
        submit(uow, clock, user, template="neon-city", input_metadata={"batch_size": 12})
    assert err.value.field == "input_metadata.batch_size"


def test_a_missing_image_slot_raises_missing_image_slot(uow, clock, user) -> None:
    with pytest.raises(MissingImageSlot) as err:
        submit(uow, clock, user, template="restyle-photo", selected_options={"style": "oil"})
    assert err.value.field == "media_ids.image"


def test_several_broken_rules_are_reported_together(uow, clock, user) -> None:
    with pytest.raises(InvalidInput) as err:
        submit(
            uow, clock, user, template="studio-portrait",
            selected_options={"hairColor": "green"}, params={"output_format": "tiff"},
        )  # fmt: skip
    fields = {e.field for e in err.value.field_errors()}
    assert fields == {"selected_options.hairColor", "params.output_format"}


def test_a_refused_request_stores_nothing(uow, clock, user) -> None:
    with pytest.raises(UnknownOption):
        submit(uow, clock, user, template="studio-portrait", selected_options={"glasses": "maybe"})
    assert uow.db.requests == {}
