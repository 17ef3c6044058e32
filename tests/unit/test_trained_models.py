"""Generating with a trained model (LoRA): who may use it, its price, prompt and payload
(TRN-1, TRN-3, WAL-8)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import estimate_request, submit_request
from genmedia.domain.choice import Choice
from genmedia.domain.errors import IllegalTransition, InvalidInput, InvalidValue
from genmedia.domain.job_input import LoraUse
from genmedia.domain.planning import plan_request
from genmedia.domain.trained_model import (
    Gender,
    TrainedModel,
    TrainedModelStatus,
    TrainedModelType,
)
from genmedia.domain.user import User
from tests.fakes import FakeClock, FakeUnitOfWork

_urls = itertools.count(1)


def add_trained_model(
    uow: FakeUnitOfWork,
    owner_id: int,
    *,
    base: str = "local-t2i",
    status: TrainedModelStatus = TrainedModelStatus.COMPLETED,
    public: bool = False,
    price: int = 3,
    trigger_word: str = "ohwx",
) -> TrainedModel:
    weights = f"https://files.example/lora-{next(_urls)}.safetensors"
    with uow:
        base_model = uow.provider_models.get_by_slug(base)
        assert base_model is not None
        assert base_model.id is not None
        model = uow.trained_models.add(
            TrainedModel(
                owner_id=owner_id,
                name="My style",
                trigger_word=trigger_word,
                base_model_id=base_model.id,
                status=status,
                weights_url=weights if status is TrainedModelStatus.COMPLETED else None,
                is_public=public,
                price=price,
            )
        )
        uow.commit()
    return model


def text_to_image(user: User, uow: FakeUnitOfWork, **kw: Any) -> SubmitRequest:
    with uow:
        feature = uow.features.get_by_name("Text to image")
    assert feature is not None
    fields: dict[str, Any] = {
        "user_id": user.id,
        "feature_id": feature.id,
        "user_prompt": "a lighthouse",
        "input_metadata": {"batch_size": 2, "seed": 1},
    }
    return SubmitRequest(**{**fields, **kw})


def other_user(uow: FakeUnitOfWork, user: User) -> int:
    return next(uid for uid in uow.db.users if uid != user.id)


def refusal(uow: FakeUnitOfWork, clock: FakeClock, cmd: SubmitRequest) -> InvalidValue:
    with pytest.raises(InvalidValue) as err:
        submit_request(cmd, uow=uow, clock=clock)
    assert uow.db.requests == {}
    return err.value


def test_the_trained_models_price_is_added_to_the_estimate_for_every_job(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id, price=3)
    plain = estimate_request(text_to_image(user, uow), uow=uow, clock=clock)
    with_lora = estimate_request(
        text_to_image(user, uow, trained_model_id=model.id), uow=uow, clock=clock
    )
    # feature 1 + provider model 1, then + trained model 3, for each of 2 jobs
    assert (plain.estimated_cost, with_lora.estimated_cost) == (4, 10)
    request = submit_request(
        text_to_image(user, uow, trained_model_id=model.id), uow=uow, clock=clock
    )
    assert [j.input.credits for j in request.jobs] == [5, 5]
    assert request.estimated_cost == 10
    assert request.trained_model_id == model.id


def test_a_public_model_can_be_used_by_anyone(uow, clock, user) -> None:
    model = add_trained_model(uow, other_user(uow, user), public=True)
    request = submit_request(
        text_to_image(user, uow, trained_model_id=model.id), uow=uow, clock=clock
    )
    assert request.trained_model_id == model.id
    assert uow.db.requests[request.id].jobs[0].input.lora.trained_model_id == model.id


def test_another_users_private_model_is_refused_naming_trained_model_id(uow, clock, user) -> None:
    model = add_trained_model(uow, other_user(uow, user), public=False)
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=model.id))
    assert error.field == "trained_model_id"
    assert "not found" in error.message


@pytest.mark.parametrize(
    "status",
    [TrainedModelStatus.PENDING, TrainedModelStatus.TRAINING, TrainedModelStatus.FAILED],
)
def test_a_model_that_is_not_completed_is_refused(uow, clock, user, status) -> None:
    model = add_trained_model(uow, user.id, status=status)
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=model.id))
    assert error.field == "trained_model_id"
    assert "not completed" in error.message


def test_a_public_model_that_is_not_completed_is_refused(uow, clock, user) -> None:
    model = add_trained_model(
        uow, other_user(uow, user), status=TrainedModelStatus.TRAINING, public=True
    )
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=model.id))
    assert error.field == "trained_model_id"


def test_a_model_trained_on_another_base_model_is_refused(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id, base="local-t2i-async")
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=model.id))
    assert error.field == "trained_model_id"
    assert "another base model" in error.message


def test_an_unknown_trained_model_is_refused_naming_trained_model_id(uow, clock, user) -> None:
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=9999))
    assert error.field == "trained_model_id"


def test_a_deleted_model_cannot_be_used(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id)
    uow.db.trained_models[model.id].deleted_at = clock.now()
    error = refusal(uow, clock, text_to_image(user, uow, trained_model_id=model.id))
    assert error.field == "trained_model_id"


def test_the_trigger_word_lands_in_the_final_prompt_and_the_trained_model_in_each_job_input(
    uow, clock, user
) -> None:
    model = add_trained_model(uow, user.id, trigger_word="ohwx")
    request = submit_request(
        text_to_image(user, uow, trained_model_id=model.id), uow=uow, clock=clock
    )
    assert request.final_prompt == "high quality, detailed, ohwx a lighthouse"
    assert request.user_prompt == "a lighthouse"
    lora = {
        "trained_model_id": model.id,
        "trigger_word": "ohwx",
        "weights_url": model.weights_url,
        "weight": 1.0,
    }
    for job in uow.db.requests[request.id].jobs:
        assert job.input.lora == LoraUse(**lora)
        assert job.input.prompt == request.final_prompt
    assert request.generation_params["lora"] == lora


def test_a_trigger_word_already_in_the_prompt_is_not_repeated(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id, trigger_word="ohwx")
    cmd = text_to_image(user, uow, trained_model_id=model.id, user_prompt="ohwx on a beach")
    request = submit_request(cmd, uow=uow, clock=clock)
    assert request.final_prompt == "high quality, detailed, ohwx on a beach"


def test_a_request_without_a_trained_model_has_no_lora_block(uow, clock, user) -> None:
    request = submit_request(text_to_image(user, uow), uow=uow, clock=clock)
    assert request.jobs[0].input.lora is None
    assert "lora" not in request.generation_params
    assert request.trained_model_id is None
    assert request.final_prompt == "high quality, detailed, a lighthouse"


@pytest.mark.parametrize(("given", "weight"), [(0, 0.0), (0.75, 0.75), (2, 2.0)])
def test_the_lora_weight_is_read_from_input_metadata(uow, clock, user, given, weight) -> None:
    model = add_trained_model(uow, user.id)
    meta = {"batch_size": 1, "lora_weights": given}
    cmd = text_to_image(user, uow, trained_model_id=model.id, input_metadata=meta)
    request = submit_request(cmd, uow=uow, clock=clock)
    assert request.jobs[0].input.lora.weight == weight


def test_the_lora_weight_may_be_given_per_trained_model(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id)
    meta = {"lora_weights": {str(model.id): 0.4, "other": 1.5}}
    cmd = text_to_image(user, uow, trained_model_id=model.id, input_metadata=meta)
    request = submit_request(cmd, uow=uow, clock=clock)
    assert request.jobs[0].input.lora.weight == 0.4


@pytest.mark.parametrize("bad", [2.5, -0.1, "strong", True, float("nan"), [1]])
def test_a_bad_lora_weight_is_refused_naming_its_field(uow, clock, user, bad) -> None:
    model = add_trained_model(uow, user.id)
    meta = {"lora_weights": bad}
    error = refusal(
        uow, clock, text_to_image(user, uow, trained_model_id=model.id, input_metadata=meta)
    )
    assert error.field == "input_metadata.lora_weights"


def test_a_bad_lora_weight_for_one_model_names_that_model(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id)
    meta = {"lora_weights": {str(model.id): 3}}
    error = refusal(
        uow, clock, text_to_image(user, uow, trained_model_id=model.id, input_metadata=meta)
    )
    assert error.field == f"input_metadata.lora_weights.{model.id}"


def _choice(uow: FakeUnitOfWork, user: User, **kw: Any) -> Choice:
    with uow:
        feature = uow.features.get_by_name("Text to image")
        model = uow.provider_models.get_by_slug("local-t2i")
    assert feature is not None
    assert model is not None
    return Choice(user_id=user.id or 0, feature=feature, model=model, user_prompt="a cat", **kw)


def test_a_chosen_lora_weight_overrides_input_metadata(uow, clock, user) -> None:
    model = add_trained_model(uow, user.id)
    choice = _choice(
        uow, user, trained_model=model, lora_weight=1.5, input_metadata={"lora_weights": 0.2}
    )
    request = plan_request(choice, seed=0, now=clock.now())
    assert request.jobs[0].input.lora.weight == 1.5


def test_a_lora_weight_without_a_trained_model_is_refused(uow, clock, user) -> None:
    with pytest.raises(InvalidValue) as err:
        plan_request(_choice(uow, user, lora_weight=1.0), seed=0, now=clock.now())
    assert err.value.field == "lora_weight"


def test_every_error_is_reported_together(uow, clock, user) -> None:
    model = add_trained_model(uow, other_user(uow, user))
    choice = _choice(uow, user, trained_model=model, input_metadata={"lora_weights": 9})
    with pytest.raises(InvalidInput) as err:
        plan_request(choice, seed=0, now=clock.now())
    assert [e.field for e in err.value.field_errors()] == [
        "trained_model_id",
        "input_metadata.lora_weights",
    ]


def _pending(**kw: Any) -> TrainedModel:
    fields: dict[str, Any] = {
        "owner_id": 1,
        "name": "Me",
        "trigger_word": "sks",
        "base_model_id": 1,
    }
    return TrainedModel(**{**fields, **kw})


def test_a_new_model_is_a_pending_private_style_costing_two_credits() -> None:
    model = _pending()
    assert model.status is TrainedModelStatus.PENDING
    assert model.type is TrainedModelType.STYLE
    assert (model.is_public, model.price, model.gender) == (False, 2, None)


def test_training_goes_from_pending_to_training_to_completed_with_its_weights() -> None:
    model = _pending(type="portrait", gender="female")
    model.start_training()
    assert model.status is TrainedModelStatus.TRAINING
    model.complete("https://files.example/w.safetensors", "https://files.example/c.json")
    assert model.status is TrainedModelStatus.COMPLETED
    assert model.weights_url == "https://files.example/w.safetensors"
    assert model.config_url == "https://files.example/c.json"
    assert (model.type, model.gender) == (TrainedModelType.PORTRAIT, Gender.FEMALE)
    model.check_usable_by(1)


@pytest.mark.parametrize("status", [TrainedModelStatus.PENDING, TrainedModelStatus.TRAINING])
def test_training_that_has_not_finished_can_fail(status) -> None:
    model = _pending()
    if status is TrainedModelStatus.TRAINING:
        model.start_training()
    model.fail()
    assert model.status is TrainedModelStatus.FAILED


def test_a_trainer_that_answers_at_once_completes_a_pending_model() -> None:
    model = _pending()
    model.complete("https://files.example/w.safetensors", credits_used=20)
    assert (model.status, model.training_credits_used) == (TrainedModelStatus.COMPLETED, 20)


def test_a_finished_model_cannot_train_or_fail_again() -> None:
    done = _pending(status="completed", weights_url="https://files.example/w.safetensors")
    failed = _pending(status="failed")
    for move in (done.start_training, done.fail, failed.start_training, failed.fail):
        with pytest.raises(IllegalTransition):
            move()
    with pytest.raises(IllegalTransition):
        failed.complete("https://files.example/w.safetensors")


def test_a_model_cannot_complete_without_weights() -> None:
    model = _pending()
    model.start_training()
    with pytest.raises(InvalidValue) as err:
        model.complete("  ")
    assert err.value.field == "weights_url"
    assert model.status is TrainedModelStatus.TRAINING
    with pytest.raises(InvalidValue):
        _pending(status="completed")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": -1}, "price"),
        ({"type": "landscape"}, "type"),
        ({"status": "done"}, "status"),
        ({"gender": "other"}, "gender"),
        ({"name": "  "}, "name"),
        ({"trigger_word": "x" * 65}, "trigger_word"),
    ],
)
def test_bad_fields_are_refused_by_name(fields, field) -> None:
    with pytest.raises(InvalidValue) as err:
        _pending(**fields)
    assert err.value.field == field


def test_the_fake_repository_lists_public_completed_models_and_the_owners_own(uow, user) -> None:
    mine = add_trained_model(uow, user.id, status=TrainedModelStatus.TRAINING)
    shared = add_trained_model(uow, other_user(uow, user), public=True)
    add_trained_model(uow, other_user(uow, user), public=True, status=TrainedModelStatus.FAILED)
    with uow:
        assert [m.id for m in uow.trained_models.list_for_owner(user.id)] == [mine.id]
        assert [m.id for m in uow.trained_models.list_public()] == [shared.id]
