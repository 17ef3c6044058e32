"""Training use cases: submit a training, follow it, list and edit trained models
(SPEC TRN-1…3).

A training is the one job of a request (`domain.training_plan`): its id is the request's,
its status, error and times are its job's, and its credits are held like a generation's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import attrs

from genmedia.application.inputs import record_id
from genmedia.application.pages import DEFAULT_LIMIT, Key, Page, check_window, page_of
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.trainings.commands import EditTrainedModel, SubmitTraining
from genmedia.application.wallet import billing
from genmedia.application.wallet.billing import DEFAULT_HOLD_TTL
from genmedia.domain.errors import (
    FieldError,
    InvalidAttachment,
    InvalidValue,
    NotFound,
    raise_collected,
)
from genmedia.domain.media import Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.training import TrainingLimits
from genmedia.domain.training_plan import TrainingOrder, plan_training, training_request

Scope = Literal["mine", "public"]


@attrs.frozen(kw_only=True)
class Training:
    """A training as its user sees it: its job's status, error and times, the model it
    trains and the credits it holds or was charged."""

    id: int
    status: Status
    error: str | None
    started_at: datetime | None
    completed_at: datetime | None
    trained_model_id: int
    credits_reserved: int
    credits_used: int

    @classmethod
    def of(cls, request: GenerationRequest, model: TrainedModel) -> Training:
        """The training that `request` carries out for `model`."""
        job = request.jobs[0]
        return cls(
            id=request.id or 0,
            status=job.status,
            error=job.error_message if job.status.is_terminal else None,
            started_at=job.started_at,
            completed_at=job.completed_at,
            trained_model_id=model.id or 0,
            credits_reserved=request.estimated_cost,
            credits_used=job.credits_used,
        )


def _base_model(uow: UnitOfWork, model_id: int | None) -> ProviderModel:
    if model_id is not None:
        record_id(model_id, "base_model_id")
    try:
        model = uow.provider_models.get(model_id) if model_id else uow.provider_models.get_default()
    except NotFound:
        model = None
    if model is None:
        raise InvalidValue("base_model_id", f"provider model {model_id} not found")
    return model


def _media(uow: UnitOfWork, base: ProviderModel, media_ids: list[int]) -> tuple[Media, ...]:
    """The media named, in order; refused before any is read if there are too many for the
    base model, or an id is no id."""
    raise_collected(TrainingLimits.of(base.id, base.limits).check_images(len(media_ids)))
    found: list[Media] = []
    errors: list[FieldError] = []
    for position, media_id in enumerate(media_ids):
        field = f"media_ids.{position}"
        try:
            found.append(uow.media.get(record_id(media_id, field)))
        except NotFound:
            errors.append(InvalidAttachment(field, f"media {media_id} not found"))
        except InvalidValue as error:
            errors.append(error)
    raise_collected(errors)
    return tuple(found)


def submit_training(
    cmd: SubmitTraining, *, uow: UnitOfWork, clock: Clock, hold_ttl: timedelta = DEFAULT_HOLD_TTL
) -> Training:
    """Accept a training: store the model to train (pending) with its images, the request
    whose job trains it and the hold of its price, in one transaction. A validation error
    naming the field, or InsufficientCredits, is raised before anything is stored."""
    now = clock.now()
    with uow:
        base = _base_model(uow, cmd.base_model_id)
        order = TrainingOrder(
            user_id=cmd.user_id,
            name=cmd.name,
            trigger_word=cmd.trigger_word,
            type=cmd.type,
            gender=cmd.gender,
            media=_media(uow, base, cmd.media_ids),
            steps=cmd.steps,
            learning_rate=cmd.learning_rate,
        )
        model, limits, steps, rate = plan_training(order, base)
        uow.trained_models.add(model)
        priority = uow.users.get(cmd.user_id).priority
        request = training_request(
            model, base, limits, steps=steps, learning_rate=rate, priority=priority, now=now
        )
        uow.requests.add(request)
        model.trained_by(request.id or 0)
        uow.trained_models.save(model)
        ttl = max(hold_ttl, 2 * timedelta(seconds=limits.timeout_seconds))
        billing.reserve_for_request(uow, request, ttl)
        uow.commit()
    return Training.of(request, model)


def training_of(user_id: int, training_id: int, *, uow: UnitOfWork) -> Training:
    """The user's training; NotFound for anyone else's, or for a request that trains nothing."""
    with uow:
        uow.read_snapshot()
        try:
            request = uow.requests.get(training_id)
            request.check_seen_by(user_id)
            model = uow.trained_models.get_by_training(training_id)
        except NotFound:
            raise NotFound("training", training_id) from None
    return Training.of(request, model)


def list_trained_models(
    user_id: int,
    scope: Scope | str = "mine",
    *,
    uow: UnitOfWork,
    after: Key | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[TrainedModel]:
    """The user's own models in any status (`mine`), or everyone's completed public models
    (`public`), newest first."""
    if scope not in ("mine", "public"):
        raise InvalidValue("scope", "must be one of mine, public")
    check_window(after, limit, 1)
    before = after[0] if after else None
    with uow:
        uow.read_snapshot()
        if scope == "mine":
            rows = uow.trained_models.list_for_owner(user_id, limit + 1, after=before)
        else:
            rows = uow.trained_models.list_public(limit + 1, after=before)
    return page_of(rows, limit, lambda m: (m.id or 0,))


def edit_trained_model(cmd: EditTrainedModel, *, uow: UnitOfWork) -> TrainedModel:
    """Rename, publish or unpublish the user's model; NotFound for anyone else's."""
    with uow:
        try:
            model = uow.trained_models.get(cmd.trained_model_id, for_update=True)
        except NotFound:
            raise NotFound("trained_model", cmd.trained_model_id) from None
        model.edit(cmd.user_id, name=cmd.name, is_public=cmd.is_public)
        uow.trained_models.save(model)
        uow.commit()
    return model
