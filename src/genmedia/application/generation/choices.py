"""Loading what a user chose for a generation: the catalog objects its command names, its
trained model and its attachments, checked to exist (SPEC GEN-3)."""

from __future__ import annotations

from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.ports import UnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.choice import Choice, image_slots
from genmedia.domain.errors import InvalidAttachment, InvalidValue, NotFound
from genmedia.domain.media import Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.template import Template
from genmedia.domain.trained_model import FIELD as TRAINED_MODEL_FIELD
from genmedia.domain.trained_model import TrainedModel


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


def load_choice(uow: UnitOfWork, cmd: SubmitRequest) -> Choice:
    """What the command chose, its catalog objects loaded; InvalidValue naming a field
    whose object does not exist."""
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
