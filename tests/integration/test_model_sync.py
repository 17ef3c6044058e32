"""Model sync (CAT-5) against fake Replicate and fal servers on loopback ports, through the
real schema sources and the SQL catalog on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from genmedia.adapters.providers.fal import FalSchemaSource
from genmedia.adapters.providers.replicate import ReplicateSchemaSource
from genmedia.adapters.sql.unit_of_work import SqlUnitOfWork
from genmedia.application.catalog.model_sync import sync_model_schema
from genmedia.application.errors import ProviderError
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.published_schema import narrowed
from tests.fakes import FakeClock
from tests.http.served import free_port
from tests.integration.fake_fal import FakeFal, fake_fal_server
from tests.integration.fake_replicate import API_KEY, MODEL, VERSION, FakeReplicate
from tests.integration.fake_replicate_server import fake_replicate_server
from tests.integration.fake_schemas import ASPECT_RATIOS, IMAGE_SIZES

pytestmark = pytest.mark.integration

FLUX_DEV = "fal-ai/flux/dev"


@pytest.fixture
def replicate() -> Iterator[FakeReplicate]:
    with fake_replicate_server() as server:
        yield server


@pytest.fixture
def fal() -> Iterator[FakeFal]:
    with fake_fal_server() as server:
        yield server


def replicate_source(fake: FakeReplicate, api_key: str = API_KEY) -> ReplicateSchemaSource:
    return ReplicateSchemaSource(api_key=api_key, base_url=fake.base_url, timeout=5.0)


def refused(source: ReplicateSchemaSource | FalSchemaSource, model: str) -> ProviderError:
    with pytest.raises(ProviderError) as raised:
        source.input_schema(model)
    return raised.value


def test_replicate_gives_the_latest_versions_input_with_its_enums_resolved(
    replicate: FakeReplicate,
) -> None:
    schema = replicate_source(replicate).input_schema(MODEL)

    [asked] = replicate.requests_to("/v1/models/")
    assert (asked.method, asked.path) == ("GET", f"/v1/models/{MODEL}")
    assert asked.headers["authorization"] == f"Bearer {API_KEY}"
    props = schema["properties"]
    assert props["aspect_ratio"]["allOf"] == [
        {
            "enum": ASPECT_RATIOS,
            "type": "string",
            "title": "aspect_ratio",
            "description": "An enumeration.",
        }
    ]
    assert narrowed(schema)["properties"]["aspect_ratio"]["default"] == "1:1"
    assert props["num_outputs"] == {"title": "Num Outputs", "const": 1}
    assert {"prompt", "seed"}.isdisjoint(props)
    assert schema["required"] == []


def test_a_model_pinned_to_a_version_reads_that_versions_schema(replicate: FakeReplicate) -> None:
    schema = replicate_source(replicate).input_schema(f"{MODEL}:{VERSION}")

    assert [r.path for r in replicate.requests_to("/v1/models/")] == [
        f"/v1/models/{MODEL}/versions/{VERSION}"
    ]
    assert schema["properties"]["num_inference_steps"]["maximum"] == 4


def test_replicate_refusals_say_what_went_wrong(replicate: FakeReplicate) -> None:
    unknown = refused(replicate_source(replicate), "someone/no-such-model")
    forbidden = refused(replicate_source(replicate, "r8_wrong-token"), MODEL)
    bare_version = refused(replicate_source(replicate), VERSION)

    assert (unknown.code, unknown.retryable) == ("provider_error", False)
    assert "404" in unknown.message
    assert "no such model or version" in unknown.message
    assert forbidden.code == "provider_auth"
    assert bare_version.code == "invalid_input"
    assert "r8_wrong-token" not in forbidden.message


def test_fal_gives_the_submit_bodys_input_from_its_public_document(fal: FakeFal) -> None:
    schema = FalSchemaSource(url=fal.schema_url, timeout=5.0).input_schema(FLUX_DEV)

    [asked] = fal.http
    assert (asked.method, asked.query) == ("GET", {"endpoint_id": [FLUX_DEV]})
    assert "authorization" not in asked.headers
    props = schema["properties"]
    assert props["image_size"]["anyOf"][1]["enum"] == IMAGE_SIZES
    assert props["image_size"]["anyOf"][0]["properties"]["width"]["maximum"] == 14142
    assert props["num_images"] == {"title": "Num Images", "const": 1}
    assert props["sync_mode"] == {"title": "Sync Mode", "const": False}
    assert {"prompt", "seed"}.isdisjoint(props)


def test_fal_refusals_say_what_went_wrong(fal: FakeFal) -> None:
    unknown = refused(FalSchemaSource(url=fal.schema_url, timeout=5.0), "fal-ai/no-such-model")
    unreachable_url = f"http://127.0.0.1:{free_port()}/openapi.json"
    unreachable = refused(FalSchemaSource(url=unreachable_url, timeout=5.0), FLUX_DEV)
    not_an_endpoint = refused(FalSchemaSource(url=fal.schema_url, timeout=5.0), "no endpoint")

    assert unknown.code == "provider_error"
    assert "404" in unknown.message
    assert (unreachable.code, unreachable.retryable) == ("provider_unavailable", True)
    assert not_an_endpoint.code == "invalid_input"


def _add_model(engine: sa.Engine, provider: str, slug: str) -> None:
    with SqlUnitOfWork(engine) as uow:
        model = ProviderModel(provider=provider, model_slug=slug, label=slug, usage_count=3)
        uow.provider_models.add(model)
        uow.commit()


def test_a_synced_schema_is_stored_with_its_time_and_nothing_else_changes(
    engine: sa.Engine, fal: FakeFal, replicate: FakeReplicate
) -> None:
    _add_model(engine, "fal", FLUX_DEV)
    _add_model(engine, "replicate", MODEL)
    sources = {"fal": FalSchemaSource(url=fal.schema_url), "replicate": replicate_source(replicate)}
    clock = FakeClock(datetime(2026, 3, 1, 12, tzinfo=UTC))

    for provider, slug in (("fal", FLUX_DEV), ("replicate", MODEL)):
        sync_model_schema(provider, slug, sources=sources, uow=SqlUnitOfWork(engine), clock=clock)

    with SqlUnitOfWork(engine) as uow:
        flux_dev = uow.provider_models.get_by_slug(FLUX_DEV)
        schnell = uow.provider_models.get_by_slug(MODEL)
    assert flux_dev is not None
    assert schnell is not None
    assert (flux_dev.synced_at, schnell.synced_at) == (clock.now(), clock.now())
    assert (flux_dev.usage_count, flux_dev.label) == (3, FLUX_DEV)
    assert flux_dev.param_schema["properties"]["guidance_scale"]["maximum"] == 20
    assert schnell.param_schema["properties"]["megapixels"]["enum"] == ["1", "0.25"]
    errors = schnell.check_params({"aspect_ratio": "7:5"}, 1, "a cat")
    assert [str(error) for error in errors] == [
        f"params.aspect_ratio: must be one of {ASPECT_RATIOS}"
    ]
