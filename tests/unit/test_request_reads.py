"""A user's requests: list, read, cancel and delete them; a request as a JSON document
(GEN-1…6, GEN-10)."""

from __future__ import annotations

from typing import Any

import pytest

from genmedia.application.generation.commands import DeleteRequest, SubmitRequest
from genmedia.application.generation.documents import submit_from_document
from genmedia.application.generation.queries import list_requests, request_of
from genmedia.application.generation.requests import (
    delete_request,
    estimate_request,
    submit_request,
)
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.domain.errors import (
    FieldError,
    InsufficientCredits,
    InvalidInput,
    InvalidValue,
    NotFound,
)
from genmedia.domain.holds import HoldStatus
from genmedia.domain.media import Media
from genmedia.domain.status import Status
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeHasher, FakeUnitOfWork


def neon(user: User, **kw: Any) -> SubmitRequest:
    return SubmitRequest(user_id=user.id or 0, template="neon-city", user_prompt="rain", **kw)


@pytest.fixture
def bob(uow: FakeUnitOfWork, clock: FakeClock) -> User:
    return create_user(
        CreateUser(email="bob@example.com"), uow=uow, hasher=FakeHasher(), clock=clock
    )


def test_a_user_lists_only_their_live_requests_newest_first_in_pages(
    uow: FakeUnitOfWork, clock: FakeClock, user: User, bob: User
) -> None:
    mine = [submit_request(neon(user), uow=uow, clock=clock).id for _ in range(3)]
    submit_request(neon(bob), uow=uow, clock=clock)
    delete_request(
        DeleteRequest(user_id=user.id or 0, request_id=mine[0] or 0), uow=uow, clock=clock
    )
    first = list_requests(user.id or 0, uow=uow, limit=1)
    rest = list_requests(user.id or 0, uow=uow, after=first.next_after)
    assert [r.id for r in first.items + rest.items] == [mine[2], mine[1]]
    assert rest.next_after is None
    assert all(len(r.jobs) == 1 for r in rest.items)


def test_requests_are_filtered_by_status_and_a_bad_status_is_named(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    request = submit_request(neon(user), uow=uow, clock=clock)
    assert [r.id for r in list_requests(user.id or 0, "pending", uow=uow).items] == [request.id]
    assert list_requests(user.id or 0, Status.COMPLETED, uow=uow).items == []
    with pytest.raises(InvalidValue) as refused:
        list_requests(user.id or 0, "done", uow=uow)
    assert refused.value.field == "status"


def test_a_request_is_read_with_its_jobs_by_its_owner_only(
    uow: FakeUnitOfWork, clock: FakeClock, user: User, bob: User
) -> None:
    request = submit_request(neon(user, input_metadata={"batch_size": 2}), uow=uow, clock=clock)
    found, media = request_of(user.id or 0, request.id or 0, uow=uow)
    assert [j.status for j in found.jobs] == [Status.PENDING, Status.PENDING]
    assert media == []
    with pytest.raises(NotFound):
        request_of(bob.id or 0, request.id or 0, uow=uow)
    with pytest.raises(NotFound):
        request_of(user.id or 0, 10_000, uow=uow)


def test_deleting_a_request_cancels_its_pending_jobs_releases_their_credits_and_hides_it(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    request = submit_request(neon(user, input_metadata={"batch_size": 2}), uow=uow, clock=clock)
    assert uow.db.wallets[user.id or 0].held > 0
    cmd = DeleteRequest(user_id=user.id or 0, request_id=request.id or 0)
    delete_request(cmd, uow=uow, clock=clock)
    stored = uow.db.requests[request.id or 0]
    assert stored.deleted_at == clock.now()
    assert stored.status is Status.CANCELLED
    assert uow.db.wallets[user.id or 0].held == 0
    assert {h.status for h in uow.db.holds.values()} == {HoldStatus.RELEASED}
    with pytest.raises(NotFound):
        request_of(user.id or 0, request.id or 0, uow=uow)
    with pytest.raises(NotFound):
        delete_request(cmd, uow=uow, clock=clock)


def test_another_user_cannot_delete_a_request(
    uow: FakeUnitOfWork, clock: FakeClock, user: User, bob: User
) -> None:
    request = submit_request(neon(user), uow=uow, clock=clock)
    with pytest.raises(NotFound):
        delete_request(
            DeleteRequest(user_id=bob.id or 0, request_id=request.id or 0), uow=uow, clock=clock
        )
    assert uow.db.requests[request.id or 0].deleted_at is None


def test_a_request_beyond_the_available_credits_is_refused_and_nothing_is_stored(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    big, accepted = neon(user, input_metadata={"batch_size": 8}), 0
    cost = estimate_request(big, uow=uow, clock=clock).estimated_cost
    while uow.db.wallets[user.id or 0].available >= cost:
        submit_request(big, uow=uow, clock=clock)
        accepted += 1
    with pytest.raises(InsufficientCredits) as refused:
        submit_request(big, uow=uow, clock=clock)
    wallet = uow.db.wallets[user.id or 0]
    assert 0 < accepted < 100
    assert refused.value.available == wallet.available < refused.value.needed
    assert len(uow.db.requests) == accepted
    assert len(uow.db.holds) == 8 * accepted


def test_an_unknown_template_is_a_bad_template_id_not_a_missing_page(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    for key in (10_000, "no-such-template"):
        with pytest.raises(InvalidValue) as refused:
            submit_request(SubmitRequest(user_id=user.id or 0, template=key), uow=uow, clock=clock)
        assert refused.value.field == "template_id"


def test_a_lora_weight_without_a_trained_model_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    with pytest.raises(InvalidValue) as refused:
        submit_request(neon(user, lora_weight=0.5), uow=uow, clock=clock)
    assert refused.value.field == "lora_weight"


def test_another_users_media_is_refused_as_if_it_did_not_exist(
    uow: FakeUnitOfWork, clock: FakeClock, user: User, bob: User, photo: Media
) -> None:
    cmd = SubmitRequest(
        user_id=bob.id or 0,
        template="restyle-photo",
        media_ids={"image": [photo.id or 0]},
        selected_options={"style": "oil"},
    )
    with pytest.raises(FieldError) as refused:
        submit_request(cmd, uow=uow, clock=clock)
    assert refused.value.field == "media_ids.image"
    assert refused.value.message == f"media {photo.id} not found"
    assert uow.db.requests == {}
    assert uow.db.wallets[bob.id or 0].held == 0


def test_a_document_is_read_into_a_request_with_the_template_id() -> None:
    cmd = submit_from_document(
        7,
        {
            "feature_id": 1,
            "template_id": 3,
            "user_prompt": "a fox in snow",
            "selected_options": {"aspect_ratio": "1:1", "backgrounds": ["beach", "city"]},
            "media_ids": [12],
            "input_metadata": {"negative_prompt": "blurry", "seed": 42, "batch_size": 4},
            "params": {"output_format": "png"},
            "trained_model_id": None,
            "lora_weight": None,
            "project_id": None,
        },
    )
    assert (cmd.user_id, cmd.template, cmd.feature_id, cmd.media_ids) == (7, 3, 1, [12])
    assert cmd.selected_options["backgrounds"] == ["beach", "city"]
    assert submit_from_document(7, {"template_id": 3, "user_prompt": None}).user_prompt == ""


BAD_VALUES: dict[str, object] = {
    "feature_id": "1",
    "template_id": True,
    "user_prompt": 12,
    "selected_options": ["a"],
    "media_ids": "12",
    "input_metadata": [],
    "params": 3.5,
    "trained_model_id": 2**70,
    "lora_weight": "1",
    "project_id": -4,
}


def test_a_document_with_every_field_of_the_wrong_type_names_each_of_them() -> None:
    with pytest.raises(InvalidInput) as refused:
        submit_from_document(7, {**BAD_VALUES, "colour": "red"})
    assert [e.field for e in refused.value.errors] == [*BAD_VALUES, "colour"]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES.items())
def test_one_field_of_the_wrong_type_is_named(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        submit_from_document(7, {"template_id": 3, field: value})
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"media_ids": [1, "2"]}, "media_ids.1"),
        ({"media_ids": {"face": [0]}}, "media_ids.face.0"),
        ({"media_ids": list(range(1, 100))}, "media_ids"),
        ({"selected_options": {"style": 3}}, "selected_options.style"),
        ({"selected_options": {"bg": ["a", None]}}, "selected_options.bg"),
        ({"user_prompt": "x" * 10_001}, "user_prompt"),
    ],
)
def test_a_bad_part_of_a_field_is_named_by_its_path(document: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        submit_from_document(7, document)
    assert refused.value.field == field


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        submit_from_document(7, [1, 2])
    assert refused.value.field == "body"
