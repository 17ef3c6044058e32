"""Generation use cases: estimate, submit and cancel requests (SPEC GEN-1…6)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import attrs

from genmedia.application.execution import settled
from genmedia.application.generation.commands import CancelRequest, DeleteRequest, SubmitRequest
from genmedia.application.ports import Clock, UnitOfWork
from genmedia.application.retry import retry_stale
from genmedia.application.wallet import billing
from genmedia.application.wallet.billing import DEFAULT_HOLD_TTL
from genmedia.domain.catalog import Feature
from genmedia.domain.choice import MAX_SEED, Choice, image_slots
from genmedia.domain.errors import InvalidAttachment, InvalidValue, NotFound
from genmedia.domain.media import Media
from genmedia.domain.planning import plan_request
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.request import GenerationRequest
from genmedia.domain.template import Template
from genmedia.domain.trained_model import FIELD as TRAINED_MODEL_FIELD
from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.trending import activity_hour


@attrs.frozen
class Estimate:
    """What a request would cost and make, before anything is stored."""

    estimated_cost: int
    final_prompt: str
    job_count: int


def _template(uow: UnitOfWork, key: int | str) -> Template:
    try:
        found = uow.templates.get_by_slug(key) if isinstance(key, str) else uow.templates.get(key)
    except NotFound:
        found = None
    if found is None:
        raise InvalidValue("template_id", f"template {key!r} not found")
    return found


def _model(uow: UnitOfWork, model_id: int | None) -> ProviderModel:
    model = uow.provider_models.get(model_id) if model_id else uow.provider_models.get_default()
    if model is None:
        raise InvalidValue("provider_model_id", "no provider model is configured for this request")
    return model


def _fallback_model(
    uow: UnitOfWork, template: Template | None, feature: Feature
) -> ProviderModel | None:
    """The legacy model of the template, else of its feature (`domain.fallback`), if any."""
    legacy = (template and template.legacy_provider_model_id) or feature.legacy_provider_model_id
    try:
        return uow.provider_models.get(legacy) if legacy else None
    except NotFound:
        return None


def _trained_model(uow: UnitOfWork, model_id: int | None) -> TrainedModel | None:
    if model_id is None:
        return None
    try:
        return uow.trained_models.get(model_id)
    except NotFound:
        raise InvalidValue(TRAINED_MODEL_FIELD, f"trained model {model_id} not found") from None


def _attachments(
    uow: UnitOfWork, cmd: SubmitRequest, template: Template | None, model: ProviderModel
) -> dict[str, list[Media]]:
    ids = cmd.media_ids
    if isinstance(ids, list):
        if not ids:
            return {}
        slots = image_slots(template, model)
        if len(slots) != 1:
            raise InvalidAttachment("media_ids", "name the image slot of each media")
        ids = {slots[0].name: ids}
    found: dict[str, list[Media]] = {}
    for slot, media_ids in ids.items():
        try:
            found[slot] = [uow.media.get(media_id) for media_id in media_ids]
        except NotFound as missing:
            raise InvalidAttachment(f"media_ids.{slot}", f"media {missing.key} not found") from None
    return found


def _choice(uow: UnitOfWork, cmd: SubmitRequest) -> Choice:
    template = _template(uow, cmd.template) if cmd.template is not None else None
    feature_id = template.feature_id if template else cmd.feature_id
    if feature_id is None:
        raise InvalidValue("feature_id", "a feature or a template is required")
    if template and cmd.feature_id is not None and cmd.feature_id != template.feature_id:
        raise InvalidValue("template_id", "this template belongs to another feature")
    try:
        feature = uow.features.get(feature_id)
    except NotFound:
        raise InvalidValue("feature_id", f"feature {feature_id} not found") from None
    model = _model(uow, (template and template.provider_model_id) or feature.provider_model_id)
    return Choice(
        user_id=cmd.user_id,
        feature=feature,
        template=template,
        model=model,
        fallback_model=_fallback_model(uow, template, feature),
        trained_model=_trained_model(uow, cmd.trained_model_id),
        lora_weight=cmd.lora_weight,
        user_prompt=cmd.user_prompt,
        selection=cmd.selected_options,
        attachments=_attachments(uow, cmd, template, model),
        input_metadata=cmd.input_metadata,
        params=cmd.params,
        project_id=cmd.project_id,
        priority=uow.users.get(cmd.user_id).priority,
    )


def estimate_request(cmd: SubmitRequest, *, uow: UnitOfWork, clock: Clock) -> Estimate:
    """Validate and price a request without storing or reserving anything."""
    with uow:
        request = plan_request(_choice(uow, cmd), seed=0, now=clock.now())
    return Estimate(request.estimated_cost, request.final_prompt, len(request.jobs))


def submit_request(
    cmd: SubmitRequest, *, uow: UnitOfWork, clock: Clock, hold_ttl: timedelta = DEFAULT_HOLD_TTL
) -> GenerationRequest:
    """Accept a request: store it, its pending jobs and their credit holds in one transaction.

    InsufficientCredits, or a validation error naming the field, is raised before anything
    is stored or queued.
    """
    seed, now = secrets.randbelow(MAX_SEED + 1), clock.now()
    with uow:
        request = plan_request(_choice(uow, cmd), seed=seed, now=now)
        uow.requests.add(request)
        billing.reserve_for_request(uow, request, hold_ttl)
        if request.template_id is not None:
            uow.trends.count(request.template_id, activity_hour(now), uses=1)
        uow.commit()
    return request


def cancel_request(cmd: CancelRequest, *, uow: UnitOfWork, clock: Clock) -> GenerationRequest:
    """Cancel a request's pending jobs; NothingToCancel if none is pending."""

    def attempt() -> GenerationRequest:
        with uow:
            request = uow.requests.get(cmd.request_id, for_update=True)
            request.check_seen_by(cmd.user_id)
            for job in request.cancel(clock.now()):
                settled.job_ended(uow, job)
            uow.requests.save(request)
            uow.commit()
        return request

    return retry_stale(attempt)


def delete_request(cmd: DeleteRequest, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft-delete a user's request, cancelling its pending jobs (their credits are
    released) and asking running ones to stop; NotFound if it is not theirs or gone."""

    def attempt() -> None:
        with uow:
            request = uow.requests.get(cmd.request_id, for_update=True)
            request.check_seen_by(cmd.user_id)
            for job in request.soft_delete(clock.now()):
                settled.job_ended(uow, job)
            uow.requests.save(request)
            uow.commit()

    retry_stale(attempt)
