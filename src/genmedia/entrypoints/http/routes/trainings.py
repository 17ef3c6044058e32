"""Fine-tuning (API.md, Fine-tuning; SPEC TRN-1…3): train a LoRA on the caller's uploads,
follow the training, list and edit trained models.

A training is the one job of a request: cancelling or deleting that request
(`/v1/requests/{id}/cancel`, with the training's id) cancels the training.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Router, get, patch, post
from litestar.params import JSONBody, QueryParameter

from genmedia.application.trainings.commands import EditTrainedModel, SubmitTraining
from genmedia.entrypoints.http.auth import SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.presenters.trainings import (
    Linker,
    TrainedModelPatch,
    TrainedModelView,
    TrainingBody,
    TrainingView,
    trained_model_view,
    training_view,
)
from genmedia.entrypoints.http.problems import responses


def _me(caller: Caller) -> int:
    return caller.user.id or 0


def _linker(container: Services) -> Linker:
    storage, expiry = container.storage(), container.config.url_expiry()
    return lambda key: storage.url(key, expiry)


@idempotent
@post("/trainings", status_code=202, responses=responses(400, 401, 402, 409, 422),
      sync_to_thread=True)  # fmt: skip
def submit(data: JSONBody[TrainingBody], caller: Caller, container: Services) -> TrainingView:
    """Train a LoRA: the model is stored pending, the training queued and its price held."""
    cmd = SubmitTraining(
        user_id=_me(caller),
        name=data.name,
        trigger_word=data.trigger_word,
        type=data.type,
        gender=data.gender,
        base_model_id=data.base_model_id,
        media_ids=list(data.media_ids),
        steps=data.steps,
        learning_rate=data.learning_rate,
    )
    return training_view(container.submit_training(cmd))


@get("/trainings/{training_id:int}", responses=responses(401, 404, 422), sync_to_thread=True)
def get_training(training_id: Id, caller: Caller, container: Services) -> TrainingView:
    """One of the caller's trainings."""
    return training_view(container.training_of(_me(caller), training_id))


@get("/trained-models", responses=responses(401, 422), sync_to_thread=True)
def list_models(
    caller: Caller,
    page: Paging,
    container: Services,
    which: Annotated[
        Literal["mine", "public"],
        QueryParameter(
            name="scope",
            description="The caller's models in any status, or everyone's public ones.",
        ),
    ] = "mine",
) -> Page[TrainedModelView]:
    """Trained models, newest first: the caller's own, or the completed public ones."""
    found = container.list_trained_models(_me(caller), which, after=page.after, limit=page.limit)
    link = _linker(container)
    return page_view(page, found, lambda model: trained_model_view(model, link))


@patch("/trained-models/{model_id:int}", responses=responses(400, 401, 404, 422),
       sync_to_thread=True)  # fmt: skip
def edit_model(
    model_id: Id,
    caller: Caller,
    container: Services,
    data: JSONBody[TrainedModelPatch | None] = None,
) -> TrainedModelView:
    """Publish, unpublish or rename one of the caller's models (no body changes nothing);
    another user's is 404."""
    change = data or TrainedModelPatch()
    cmd = EditTrainedModel(
        user_id=_me(caller), trained_model_id=model_id, name=change.name, is_public=change.is_public
    )
    return trained_model_view(container.edit_trained_model(cmd), _linker(container))


router = Router(
    "/v1",
    route_handlers=[submit, get_training, list_models, edit_model],
    tags=["fine-tuning"],
    security=SECURITY,
)
