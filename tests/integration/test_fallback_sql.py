"""A job falling back to its legacy model, written to SQL on both backends (issue #18)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_features, generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.seeding import seed_catalog
from genmedia.application.execution.steps import claim_job, fall_back_job
from genmedia.application.generation.commands import SubmitRequest
from genmedia.application.generation.requests import submit_request
from genmedia.application.identity.commands import CreateUser
from genmedia.application.identity.users import create_user
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.status import Status
from tests.fakes import FakeClock, FakeHasher

pytestmark = pytest.mark.integration


def spare_model(engine: sa.Engine) -> int:
    with SqlUnitOfWork(engine) as uow:
        model = uow.provider_models.add(
            ProviderModel(provider="spare", model_slug="spare-t2i", label="Spare", cost_per_use=9)
        )
        uow.commit()
    return model.id or 0


def test_a_features_legacy_model_is_stored_and_a_fallen_back_job_is_written_with_its_input(
    engine: sa.Engine,
) -> None:
    clock = FakeClock()
    seed_catalog(uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=clock, admin_email="a@x.io")
    legacy = spare_model(engine)
    with SqlUnitOfWork(engine) as uow:
        feature = uow.features.get_by_name("Text to image")
        assert feature is not None
    with engine.begin() as connection:
        connection.execute(
            sa.update(generation_features)
            .where(generation_features.c.id == feature.id)
            .values(legacy_provider_model_id=legacy)
        )
    with SqlUnitOfWork(engine) as uow:
        assert uow.features.get(feature.id or 0).legacy_provider_model_id == legacy
    user = create_user(
        CreateUser(email="ann@x.io"), uow=SqlUnitOfWork(engine), hasher=FakeHasher(), clock=clock
    )
    cmd = SubmitRequest(user_id=user.id or 0, feature_id=feature.id, user_prompt="a fox")
    job_id = submit_request(cmd, uow=SqlUnitOfWork(engine), clock=clock).jobs[0].id or 0
    job = claim_job(job_id, "w1", uow=SqlUnitOfWork(engine), clock=clock)
    assert job is not None
    assert job.input.fallback is not None

    assert fall_back_job(job, "provider_unavailable", "503", uow=SqlUnitOfWork(engine))

    with engine.connect() as connection:
        row = connection.execute(
            sa.select(generation_jobs).where(generation_jobs.c.id == job_id)
        ).one()
    assert (row.status, row.provider, row.attempts) == (Status.PENDING, "spare", 0)
    assert (row.input_json["provider"], row.input_json["model"]) == ("spare", "spare-t2i")
    with SqlUnitOfWork(engine) as uow:
        again = uow.jobs.get(job_id)
    assert again.input.fell_back_from == "local/local-t2i"
    assert again.input.fallback is None
    assert again.input.credits == job.input.credits
    # The worker's copy no longer runs: a second fallback of it writes nothing.
    assert not fall_back_job(job, "provider_unavailable", "503", uow=SqlUnitOfWork(engine))
