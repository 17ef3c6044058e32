"""Admin (API.md, Admin): the audit log and the operators' writes."""

from __future__ import annotations

from dependency_injector import providers

from genmedia.application.admin import audit
from genmedia.entrypoints.infrastructure import Infrastructure

uow = Infrastructure.uow


class AdminServices(Infrastructure):
    """Reading the audit log of admin writes."""

    list_audit = providers.Callable(audit.list_audit, uow=uow)
