"""Operations (API.md, Provider webhooks and operations): liveness, readiness, metrics."""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.openapi.datastructures import ResponseSpec

from genmedia.entrypoints.http.auth import ANONYMOUS
from genmedia.entrypoints.http.dependencies import Services
from genmedia.entrypoints.http.limits import UNLIMITED
from genmedia.entrypoints.http.presenters.operations import Health, ReadinessView, readiness_view
from genmedia.entrypoints.http.threads import in_thread

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@get("/healthz", sync_to_thread=False)
def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@get(
    "/readyz",
    responses={503: ResponseSpec(data_container=ReadinessView, description="Not ready")},
)
async def readyz(container: Services) -> Response[ReadinessView]:
    """Whether the database, the broker and the storage answer (503 when one does not)."""
    readiness = await in_thread(container.check_readiness)
    return Response(readiness_view(readiness), status_code=200 if readiness.ready else 503)


@get("/metrics", media_type=PROMETHEUS_TEXT)
async def metrics(container: Services) -> bytes:
    """Every metric of this process in Prometheus text format."""
    return await in_thread(container.metrics().render)


router = Router(
    "/",
    route_handlers=[healthz, readyz, metrics],
    tags=["operations"],
    opt={ANONYMOUS: True, UNLIMITED: True},
)
