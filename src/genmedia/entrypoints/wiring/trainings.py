"""Trainings and trained models (SPEC TRN-1…3): submit and follow trainings, list and edit
trained models."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.application.trainings import trainings
from genmedia.entrypoints.infrastructure import Infrastructure

config = Infrastructure.config
uow = Infrastructure.uow


class TrainingServices(Infrastructure):
    """Submitting a training (its credits held), reading it, listing and editing models."""

    submit_training = providers.Callable(
        trainings.submit_training,
        uow=uow,
        clock=Infrastructure.clock,
        hold_ttl=providers.Callable(timedelta, seconds=config.hold_ttl_seconds),
    )
    training_of = providers.Callable(trainings.training_of, uow=uow)
    list_trained_models = providers.Callable(trainings.list_trained_models, uow=uow)
    edit_trained_model = providers.Callable(trainings.edit_trained_model, uow=uow)
