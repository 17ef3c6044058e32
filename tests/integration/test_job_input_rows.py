"""A job's input in its JSON column: the document's shape, and rows written before it was
a value object (PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from genmedia.adapters.sql.tables import generation_jobs
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.domain.catalog import Feature
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput, LoraUse, SourceImage
from genmedia.domain.request import GenerationRequest
from genmedia.domain.user import User

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

EDIT = JobInput(
    provider="bfl",
    model="flux-kontext",
    endpoint="/v1/flux-kontext-pro",
    prompt="oil painting",
    negative_prompt="blur",
    params={"aspect_ratio": "1:1", "steps": 28},
    seed=42,
    images=(SourceImage(slot="image", media_id=7, storage_path="u/a.png", file_format="png"),),
    lora=LoraUse(trained_model_id=3, trigger_word="ohwx", weights_url="https://w/3", weight=0.5),
    index=1,
    credits=4,
)

# A job's input_json as every release so far has written it.
DOCUMENT = {
    "provider": "bfl",
    "model": "flux-kontext",
    "endpoint": "/v1/flux-kontext-pro",
    "prompt": "oil painting",
    "negative_prompt": "blur",
    "params": {"aspect_ratio": "1:1", "steps": 28},
    "seed": 42,
    "inputs": [{"slot": "image", "media_id": 7, "storage_path": "u/a.png", "file_format": "png"}],
    "lora": {
        "trained_model_id": 3, "trigger_word": "ohwx", "weights_url": "https://w/3", "weight": 0.5,
    },
    "index": 1,
    "credits": 4,
}  # fmt: skip


def _add(engine: sa.Engine, job_input: JobInput) -> Job:
    with SqlUnitOfWork(engine) as uow:
        user = uow.users.add(User(email="ada@example.com", name="Ada", password_hash="h"))
        feature = uow.features.add(Feature(name="edit", system_prompt=""))
        job = Job(user_id=user.id or 0, feature_id=feature.id or 0, index=1, input=job_input)
        request = GenerationRequest(user_id=user.id or 0, feature_id=feature.id or 0, jobs=[job])
        uow.requests.add(request)
        uow.commit()
    return job


def _stored_document(engine: sa.Engine, job_id: int) -> object:
    with engine.connect() as connection:
        query = sa.select(generation_jobs.c.input_json).where(generation_jobs.c.id == job_id)
        return connection.execute(query).scalar_one()


def test_a_jobs_input_is_stored_as_the_document_earlier_releases_wrote(
    engine: sa.Engine,
) -> None:
    job = _add(engine, EDIT)
    assert _stored_document(engine, job.id or 0) == DOCUMENT
    with SqlUnitOfWork(engine) as uow:
        assert uow.jobs.get(job.id or 0).input == EDIT


def test_a_row_written_before_the_input_was_a_value_loads_as_that_value(
    engine: sa.Engine,
) -> None:
    job = _add(engine, JobInput())
    without_lora = {key: value for key, value in DOCUMENT.items() if key != "lora"}
    with engine.begin() as connection:
        statement = sa.update(generation_jobs).where(generation_jobs.c.id == job.id)
        connection.execute(statement.values(input_json=without_lora))
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.jobs.get(job.id or 0)
        in_request = uow.requests.get(job.request_id or 0).jobs[0]
    assert loaded.input == in_request.input
    assert loaded.input.lora is None
    assert loaded.input.as_document() == without_lora
    assert (loaded.input.kind, loaded.input.credits, loaded.input.edited_media_id) == (
        EDIT.kind,
        4,
        7,
    )
