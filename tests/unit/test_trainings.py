"""Trainings (TRN-1, TRN-2): validated against the base model's limits, held like a
generation, carried by one job whose end the trained model follows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from genmedia.application.generation.commands import CancelRequest
from genmedia.application.generation.requests import cancel_request
from genmedia.application.trainings.commands import EditTrainedModel, SubmitTraining
from genmedia.application.trainings.outcomes import models_completed
from genmedia.application.trainings.trainings import (
    edit_trained_model,
    list_trained_models,
    submit_training,
    training_of,
)
from genmedia.domain import postings
from genmedia.domain.errors import (
    FieldError,
    InsufficientCredits,
    InvalidInput,
    InvalidValue,
    NotFound,
)
from genmedia.domain.job_input import JobInput
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.status import Status
from genmedia.domain.trained_model import TrainedModelStatus, TrainedModelType
from genmedia.domain.training import TrainingLimits
from genmedia.domain.user import User
from genmedia.domain.wallet import EntryKind
from tests.fakes import FakeClock, FakeUnitOfWork


def add_photos(
    uow: FakeUnitOfWork, user_id: int, count: int, kind: MediaKind = MediaKind.UPLOADED
) -> list[int]:
    ids = []
    with uow:
        for n in range(count):
            info = ImageInfo(
                file_format="png", width=64, height=64, file_size=100 + n, blurhash="L00000"
            )
            media = Media(
                user_id=user_id,
                kind=kind,
                storage_path=f"uploads/u{user_id}/{n}.png",
                info=info,
                original_filename=f"selfie-{n}.png",
            )
            ids.append(uow.media.add(media).id or 0)
        uow.commit()
    return ids


def order(user: User, media_ids: list[int], **kw: Any) -> SubmitTraining:
    fields: dict[str, Any] = {
        "user_id": user.id,
        "name": "Me",
        "trigger_word": "ohwx",
        "type": "portrait",
        "gender": "female",
        "media_ids": media_ids,
    }
    return SubmitTraining(**{**fields, **kw})


def wallet(uow: FakeUnitOfWork, user: User) -> tuple[int, int]:
    found = uow.db.wallets[user.id or 0]
    return found.balance, found.held


def refused(uow: FakeUnitOfWork, clock: FakeClock, user: User, cmd: SubmitTraining) -> set[str]:
    before = wallet(uow, user)
    with pytest.raises((InvalidValue, InvalidInput, FieldError)) as err:
        submit_training(cmd, uow=uow, clock=clock)
    assert wallet(uow, user) == before
    assert uow.db.requests == {}
    assert uow.db.trained_models == {}
    return {e.field for e in err.value.field_errors()}


def test_a_training_stores_the_pending_model_its_ordered_images_and_holds_its_price(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    photos = add_photos(uow, user.id or 0, 3)
    training = submit_training(order(user, photos[::-1], steps=50), uow=uow, clock=clock)
    model = uow.db.trained_models[training.trained_model_id]
    assert (model.status, model.type, model.images_count) == (
        TrainedModelStatus.PENDING,
        TrainedModelType.PORTRAIT,
        3,
    )
    assert [image.media_id for image in model.images] == photos[::-1]
    assert [image.order for image in model.images] == [1, 2, 3]
    assert model.images[0].file_name == "selfie-2.png"
    assert model.training_request_id == training.id
    job = uow.db.requests[training.id].jobs[0]
    assert job.input.training is not None
    assert (job.input.training.steps, job.input.kind) == (50, EntryKind.TRAINING)
    assert job.deadline_at == clock.now() + timedelta(seconds=3600)
    assert (training.status, training.credits_reserved) == (Status.PENDING, 20)
    assert wallet(uow, user) == (100, 20)


@pytest.mark.parametrize("count", [0, 6])
def test_a_training_needs_one_to_five_images(
    uow: FakeUnitOfWork, clock: FakeClock, user: User, count: int
) -> None:
    photos = add_photos(uow, user.id or 0, count)
    assert refused(uow, clock, user, order(user, photos)) == {"media_ids"}


def test_another_users_media_is_refused_by_its_place(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    mine = add_photos(uow, user.id or 0, 1)
    theirs = add_photos(uow, (user.id or 0) + 1000, 1)
    assert refused(uow, clock, user, order(user, mine + theirs)) == {"media_ids.1"}


def test_a_missing_or_generated_media_is_refused_by_its_place(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    made = add_photos(uow, user.id or 0, 1, kind=MediaKind.GENERATED)
    assert refused(uow, clock, user, order(user, made)) == {"media_ids.0"}
    assert refused(uow, clock, user, order(user, [987654])) == {"media_ids.0"}


def test_steps_learning_rate_type_and_name_out_of_bounds_are_each_named(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    photos = add_photos(uow, user.id or 0, 1)
    bad = order(user, photos, steps=0, learning_rate=1.0, type="cartoon")
    assert refused(uow, clock, user, bad) == {"steps", "learning_rate", "type"}
    assert refused(uow, clock, user, order(user, photos, name=" ")) == {"name"}


def test_a_model_without_training_limits_cannot_be_trained(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    with uow:
        fal = uow.provider_models.get_by_slug("fal-ai/flux/dev")
    assert fal is not None
    photos = add_photos(uow, user.id or 0, 1)
    cmd = order(user, photos, base_model_id=fal.id)
    assert refused(uow, clock, user, cmd) == {"base_model_id"}


def test_a_training_the_wallet_cannot_hold_is_refused(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    photos = add_photos(uow, user.id or 0, 1)
    with uow:
        base = uow.provider_models.get_default()
        assert base is not None
        base.limits = {**base.limits, "training": {"price": 500}}
        uow.provider_models.save_schema(base)
        uow.commit()
    before = wallet(uow, user)
    with pytest.raises(InsufficientCredits):
        submit_training(order(user, photos), uow=uow, clock=clock)
    assert wallet(uow, user) == before


def test_a_cancelled_training_fails_its_model_and_releases_its_hold(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    training = submit_training(order(user, add_photos(uow, user.id or 0, 2)), uow=uow, clock=clock)
    cancel_request(
        CancelRequest(user_id=user.id or 0, request_id=training.id), uow=uow, clock=clock
    )
    model = uow.db.trained_models[training.trained_model_id]
    assert model.status is TrainedModelStatus.FAILED
    assert model.training_error == "the training was cancelled"
    assert wallet(uow, user) == (100, 0)
    seen = training_of(user.id or 0, training.id, uow=uow)
    assert (seen.status, seen.error) == (Status.CANCELLED, None)


def test_a_completed_training_job_completes_its_model_with_its_files(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    training = submit_training(order(user, add_photos(uow, user.id or 0, 1)), uow=uow, clock=clock)
    job = uow.db.requests[training.id].jobs[0]
    job.output_metadata = {"artifacts": {"weights": "trained/w", "config": "trained/c"}}
    with uow:
        models_completed(uow, [(job, "generated/preview.png")], {job.id or 0: 20})
        uow.commit()
    model = uow.db.trained_models[training.trained_model_id]
    assert (model.status, model.weights_url, model.config_url) == (
        TrainedModelStatus.COMPLETED,
        "trained/w",
        "trained/c",
    )
    assert (model.preview_image_url, model.training_credits_used) == ("generated/preview.png", 20)


def test_a_training_is_not_found_by_another_user(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    training = submit_training(order(user, add_photos(uow, user.id or 0, 1)), uow=uow, clock=clock)
    with pytest.raises(NotFound):
        training_of((user.id or 0) + 1000, training.id, uow=uow)


def test_only_the_owner_renames_or_publishes_a_model_and_public_lists_completed_ones(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    training = submit_training(order(user, add_photos(uow, user.id or 0, 1)), uow=uow, clock=clock)
    model_id = training.trained_model_id
    with pytest.raises(NotFound):
        edit_trained_model(
            EditTrainedModel(user_id=(user.id or 0) + 1000, trained_model_id=model_id, name="x"),
            uow=uow,
        )
    edited = edit_trained_model(
        EditTrainedModel(
            user_id=user.id or 0, trained_model_id=model_id, name="New", is_public=True
        ),
        uow=uow,
    )
    assert (edited.name, edited.is_public) == ("New", True)
    assert [m.id for m in list_trained_models(user.id or 0, "mine", uow=uow).items] == [model_id]
    assert list_trained_models(user.id or 0, "public", uow=uow).items == []  # not completed
    with pytest.raises(InvalidValue):
        list_trained_models(user.id or 0, "everyone", uow=uow)


def test_the_charge_of_a_training_or_a_generation_with_a_lora_links_the_trained_model(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    training = submit_training(order(user, add_photos(uow, user.id or 0, 1)), uow=uow, clock=clock)
    job = uow.db.requests[training.id].jobs[0]
    charge = postings.job_charge(job, 20, None)
    assert charge is not None
    assert (charge.kind, charge.links.trained_model_id) == (
        EntryKind.TRAINING,
        training.trained_model_id,
    )
    assert JobInput.from_document(job.input.as_document()) == job.input


def test_training_limits_take_defaults_for_what_a_model_does_not_say() -> None:
    limits = TrainingLimits.of(1, {"training": {"max_images": 3, "price": 7}})
    assert (limits.min_images, limits.max_images, limits.price) == (1, 3, 7)
    assert limits.steps(None) == (limits.default_steps, [])
    assert limits.learning_rate(True)[1][0].field == "learning_rate"


def test_an_id_that_is_no_id_is_refused_by_its_place_before_any_media_is_read(
    uow: FakeUnitOfWork, clock: FakeClock, user: User
) -> None:
    photos = add_photos(uow, user.id or 0, 1)
    assert refused(uow, clock, user, order(user, [*photos, 2**70])) == {"media_ids.1"}
    assert refused(uow, clock, user, order(user, photos, base_model_id=0)) == {"base_model_id"}
