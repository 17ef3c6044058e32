"""A JobRunner on fakes, as the unit tests of the worker's side build it."""

from __future__ import annotations

from collections.abc import Mapping

from genmedia.application.execution.runner import JobRunner
from genmedia.application.ports import ProviderGateway
from tests.fakes import FakeClock, FakeImageProcessor, FakeMetrics, FakeQueue, FakeStorage
from tests.fakes.unit_of_work import FakeUnitOfWork


def fake_runner(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    providers: Mapping[str, ProviderGateway],
    queue: FakeQueue | None = None,
    storage: FakeStorage | None = None,
) -> JobRunner:
    """Worker w1's runner on the fake unit of work, with these providers by name."""
    return JobRunner(
        uow=lambda: uow,
        storage=storage or FakeStorage(),
        images=FakeImageProcessor(),
        providers=providers,
        queue=queue or FakeQueue(),
        clock=clock,
        worker_id="w1",
        metrics=FakeMetrics(),
    )
