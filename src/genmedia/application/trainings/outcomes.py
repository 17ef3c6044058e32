"""A training's model follows its job, in the transaction that moves the job: training
once its trainer has the task, completed with its job (weights, config, preview and what
was charged), failed when its job fails or is cancelled (SPEC TRN-2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from genmedia.application.ports import UnitOfWork
from genmedia.domain.job import Job
from genmedia.domain.status import Status
from genmedia.domain.trained_model import TrainedModel, TrainedModelStatus

ARTIFACTS = "artifacts"  # the key of a training job's output metadata naming its files
_ENDED = (TrainedModelStatus.COMPLETED, TrainedModelStatus.FAILED)


def _model(uow: UnitOfWork, job: Job) -> TrainedModel | None:
    """The model the job trains, locked, unless it trains none or the model has ended."""
    training = job.input.training
    if training is None:
        return None
    model = uow.trained_models.get(training.trained_model_id, for_update=True)
    return None if model.status in _ENDED else model


def model_started(uow: UnitOfWork, job: Job) -> None:
    """The trainer has the job's task: its model is training."""
    model = _model(uow, job)
    if model is not None and model.status is TrainedModelStatus.PENDING:
        model.start_training()
        uow.trained_models.save(model)


def models_completed(
    uow: UnitOfWork, done: Sequence[tuple[Job, str | None]], charged: Mapping[int, int]
) -> None:
    """Complete the models these completed jobs trained, each with the storage key of its
    preview (if any), the files its job stored and the credits it was charged."""
    for job, preview in done:
        model = _model(uow, job)
        if model is None:
            continue
        files = (job.output_metadata or {}).get(ARTIFACTS) or {}
        model.complete(
            files.get("weights", ""),
            files.get("config"),
            preview,
            credits_used=charged.get(job.id or 0, 0),
        )
        uow.trained_models.save(model)


def model_ended(uow: UnitOfWork, job: Job) -> None:
    """The job failed or was cancelled: its model failed, for the job's reason."""
    if job.status not in (Status.FAILED, Status.CANCELLED):
        return
    model = _model(uow, job)
    if model is not None:
        reason = job.error_message if job.status is Status.FAILED else "the training was cancelled"
        model.fail(reason or job.error_code or "the training failed")
        uow.trained_models.save(model)
