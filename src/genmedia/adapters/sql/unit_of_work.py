"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

import sqlalchemy as sa

from genmedia.adapters.sql.engine import allow_one_statement, forget_one_statement
from genmedia.adapters.sql.repositories import (
    LoadedJobs,
    LoadedRequests,
    SqlAccessTokenRepository,
    SqlArticleRepository,
    SqlAuditLog,
    SqlBatchRepository,
    SqlCatalogStore,
    SqlCouponRepository,
    SqlCreditPackRepository,
    SqlFeatureRepository,
    SqlGiftCardRepository,
    SqlHoldRepository,
    SqlIdempotencyKeys,
    SqlJobOutbox,
    SqlJobRepository,
    SqlMediaRepository,
    SqlPaymentRepository,
    SqlProviderModelRepository,
    SqlRequestRepository,
    SqlRetentionRepository,
    SqlSettingRepository,
    SqlStatsRepository,
    SqlTagRepository,
    SqlTemplateRepository,
    SqlTrainedModelRepository,
    SqlTrendRepository,
    SqlUserRepository,
    SqlWalletRepository,
    SqlWorkerRegistry,
)
from genmedia.application.ports import JobClaims, UnitOfWork
from genmedia.domain.job import Job


class SqlUnitOfWork(UnitOfWork):
    """A transaction on `engine`; rolls back on exit unless committed.

    Not shared between threads: build one per use case call. Requests and jobs loaded
    through it are remembered (by object) across its `with` blocks, so one read in one
    transaction can be saved, guarded by its version or status, in a later one.

    A `one_statement` block on PostgreSQL runs in autocommit mode: its statement is its own
    transaction, without BEGIN and COMMIT round trips, and a second statement is refused.
    `claims` runs in such a block.
    """

    jobs: SqlJobRepository

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._connection: sa.Connection | None = None
        self._one_statement = False
        self._loaded = LoadedRequests()
        self._loaded_jobs = LoadedJobs()
        self._built: list[str] = []
        self.claims = SqlJobClaims(self)

    def __getattr__(self, name: str) -> object:
        """A repository of this block, built on first use (most use cases need two or three)."""
        build = _REPOSITORIES.get(name)
        if build is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        repository = build(self, self._active())
        setattr(self, name, repository)
        self._built.append(name)
        return repository

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already in use")
        one_statement, self._one_statement = self._one_statement, False
        connection = self._engine.connect()
        if one_statement and connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            allow_one_statement(connection)
        connection.begin()
        self._connection = connection
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        for name in self._built:
            delattr(self, name)
        self._built.clear()
        if connection is not None:
            try:
                connection.rollback()
            finally:
                forget_one_statement(connection)
                connection.close()

    def one_statement(self) -> Self:
        """The next `with` block runs one atomic repository call (see the class docstring)."""
        if self._connection is not None:
            raise RuntimeError("this unit of work is already in use")
        self._one_statement = True
        return self

    def read_snapshot(self) -> None:
        """On PostgreSQL, make this block's transaction REPEATABLE READ and READ ONLY: its
        statements all read one snapshot, so a request and its jobs, read one after the
        other, never disagree. SQLite's transactions read one snapshot already."""
        connection = self._active()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def commit(self) -> None:
        """Commit this block's transaction; later statements run in a new one."""
        self._active().commit()

    def rollback(self) -> None:
        """Drop every uncommitted change of this block."""
        self._active().rollback()

    def _active(self) -> sa.Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._connection


_REPOSITORIES: dict[str, Callable[[SqlUnitOfWork, sa.Connection], object]] = {
    "users": lambda uow, connection: SqlUserRepository(connection),
    "tokens": lambda uow, connection: SqlAccessTokenRepository(connection),
    "idempotency": lambda uow, connection: SqlIdempotencyKeys(connection),
    "features": lambda uow, connection: SqlFeatureRepository(connection),
    "tags": lambda uow, connection: SqlTagRepository(connection),
    "templates": lambda uow, connection: SqlTemplateRepository(connection),
    "trends": lambda uow, connection: SqlTrendRepository(connection),
    "provider_models": lambda uow, connection: SqlProviderModelRepository(connection),
    "trained_models": lambda uow, connection: SqlTrainedModelRepository(connection),
    "catalog": lambda uow, connection: SqlCatalogStore(connection),
    "requests": lambda uow, connection: SqlRequestRepository(connection, uow._loaded),
    "jobs": lambda uow, connection: SqlJobRepository(connection, uow._loaded_jobs),
    "batches": lambda uow, connection: SqlBatchRepository(connection),
    "media": lambda uow, connection: SqlMediaRepository(connection),
    "retention": lambda uow, connection: SqlRetentionRepository(connection),
    "stats": lambda uow, connection: SqlStatsRepository(connection),
    "outbox": lambda uow, connection: SqlJobOutbox(connection),
    "wallets": lambda uow, connection: SqlWalletRepository(connection),
    "holds": lambda uow, connection: SqlHoldRepository(connection),
    "workers": lambda uow, connection: SqlWorkerRegistry(connection),
    "credit_packs": lambda uow, connection: SqlCreditPackRepository(connection),
    "payments": lambda uow, connection: SqlPaymentRepository(connection),
    "coupons": lambda uow, connection: SqlCouponRepository(connection),
    "gift_cards": lambda uow, connection: SqlGiftCardRepository(connection),
    "settings": lambda uow, connection: SqlSettingRepository(connection),
    "articles": lambda uow, connection: SqlArticleRepository(connection),
    "audit": lambda uow, connection: SqlAuditLog(connection),
}


class SqlJobClaims(JobClaims):
    """Claims, each the only work of a `one_statement` block of its unit of work: on
    PostgreSQL one statement in autocommit mode, elsewhere a short transaction."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def claim(
        self, job_ids: Collection[int], worker_id: str, now: datetime, timeout: timedelta
    ) -> list[Job]:
        """`SqlJobRepository.claim`, committed; the jobs claimed, in id order."""
        with self._uow.one_statement() as uow:
            jobs = uow.jobs.claim(job_ids, worker_id, now, timeout)
            uow.commit()
        return jobs

    def begin(
        self, runs: Collection[tuple[int, int]], worker_id: str, now: datetime
    ) -> dict[int, bool]:
        """`SqlJobRepository.begin`, committed."""
        with self._uow.one_statement() as uow:
            begun = uow.jobs.begin(runs, worker_id, now)
            uow.commit()
        return begun
