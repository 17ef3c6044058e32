"""genmedia: the open core of an AI media-generation service.

Cheap names (commands, domain errors) import eagerly; the container and worker, which pull in
SQLAlchemy, Dramatiq and Pillow, import on first use. Nothing is built at import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from genmedia.application.generation.commands import (
    CancelRequest,
    DeleteRequest,
    SubmitBatch,
    SubmitRequest,
)
from genmedia.application.identity.commands import CreateUser, IssueApiToken, LogIn, Register
from genmedia.application.ports.catalog import TemplateSearch
from genmedia.application.trainings.commands import EditTrainedModel, SubmitTraining
from genmedia.domain.errors import (
    DomainError,
    FieldError,
    IllegalTransition,
    InvalidInput,
    InvalidParam,
    MissingImageSlot,
    MissingRequiredOption,
    NotFound,
    UnknownOption,
)

if TYPE_CHECKING:
    from genmedia.entrypoints.container import Container, build_container
    from genmedia.entrypoints.library import upgrade_database, wait_for
    from genmedia.entrypoints.settings import Settings
    from genmedia.entrypoints.worker import WorkerRuntime

_LAZY = {
    "Container": "genmedia.entrypoints.container",
    "build_container": "genmedia.entrypoints.container",
    "Settings": "genmedia.entrypoints.settings",
    "WorkerRuntime": "genmedia.entrypoints.worker",
    "upgrade_database": "genmedia.entrypoints.library",
    "wait_for": "genmedia.entrypoints.library",
}

__all__ = [
    # composition
    "Container",
    "Settings",
    "WorkerRuntime",
    "build_container",
    "upgrade_database",
    "wait_for",
    # commands
    "CancelRequest",
    "CreateUser",
    "DeleteRequest",
    "EditTrainedModel",
    "IssueApiToken",
    "LogIn",
    "Register",
    "SubmitBatch",
    "SubmitRequest",
    "SubmitTraining",
    "TemplateSearch",
    # errors
    "DomainError",
    "FieldError",
    "IllegalTransition",
    "InvalidInput",
    "InvalidParam",
    "MissingImageSlot",
    "MissingRequiredOption",
    "NotFound",
    "UnknownOption",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'genmedia' has no attribute {name!r}")
