"""The ASGI app of the HTTP API (API.md), built by `create_app(container)`.

Nothing is built at import time. Route handlers come from `routes.ROUTERS`, one router per
API.md section. Every error answers problem+json (`problems`); every route needs a bearer
token unless marked anonymous (`auth`); calls are rate limited (`limits`); marked POSTs
honour Idempotency-Key (`idempotency`); lists page by signed cursors (`pagination`).
Handlers take their dependencies by name and type (dependencies.py): `container: Services`,
`caller: Caller` (the authenticated user and token) and `page: Paging`.
"""

from __future__ import annotations

import functools
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from genmedia.adapters.metrics.prometheus import PrometheusMetrics
from genmedia.domain.limits import Limit
from genmedia.entrypoints.container import Container
from genmedia.entrypoints.http import problems
from genmedia.entrypoints.http.auth import ANONYMOUS, BEARER, CALLER, Authentication
from genmedia.entrypoints.http.idempotency import Idempotency
from genmedia.entrypoints.http.limits import UNLIMITED, RateLimit
from genmedia.entrypoints.http.observe import Observer
from genmedia.entrypoints.http.pagination import PAGE, Cursors
from genmedia.entrypoints.http.routes import ROUTERS

TITLE = "genmedia"
VERSION = "1"
OPEN = {ANONYMOUS: True, UNLIMITED: True}


class GenmediaApp(Litestar):
    """Litestar, with every HTTP request (unrouted ones too) given an id, logged and counted."""

    observer: Observer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one ASGI connection; HTTP requests go through the observer."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await self.observer.serve(functools.partial(Litestar.__call__, self), scope, receive, send)


class _DocsRouter(Router):
    """The router of /docs, without Litestar's HTML 404 page for unknown paths under it:
    those get the problem+json 404 like any other."""

    def register(self, value: Any) -> Any:
        """Register a handler, except the HTML not-found page."""
        if getattr(getattr(value, "fn", None), "__name__", "") == "handle_schema_path_not_found":
            return []
        return super().register(value)


@get("/openapi.json", include_in_schema=False, opt=OPEN, sync_to_thread=False)
def openapi_json(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The OpenAPI document of this API."""
    return Response(request.app.openapi_schema.to_schema(), media_type="application/json")


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title=TITLE,
        version=VERSION,
        description="The HTTP API of genmedia: see docs/http.md.",
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http", scheme="bearer", description="A session or API token."
                )
            }
        ),
        render_plugins=[SwaggerRenderPlugin(path="/")],
        openapi_router=_DocsRouter("/docs", route_handlers=[], opt=OPEN, include_in_schema=False),
    )


def _cors(origins: str) -> CORSConfig | None:
    allowed = [origin.strip() for origin in origins.split(",") if origin.strip()]
    if not allowed:
        return None
    return CORSConfig(
        allow_origins=allowed,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
        expose_headers=["Retry-After", "X-Request-Id"],
    )


def _middleware(container: Container) -> list[Any]:
    config = container.config
    window = config.rate_limit_window()
    return [
        Authentication(container),
        RateLimit(
            container.counters(),
            per_token=Limit(config.rate_limit_per_token(), window),
            per_address=Limit(config.rate_limit_per_address(), window),
        ),
        Idempotency(container),
    ]


def _metrics(container: Container) -> PrometheusMetrics:
    container.config.metrics_kind.override("prometheus")
    metrics = container.metrics()
    assert isinstance(metrics, PrometheusMetrics)
    return metrics


def create_app(container: Container) -> Litestar:
    """The HTTP API on `container`'s use cases; its metrics share the worker's registry."""
    cursors = Cursors(container.secret_key())
    app = GenmediaApp(
        route_handlers=[*ROUTERS, openapi_json],
        dependencies={
            "container": Provide(lambda: container, use_cache=True, sync_to_thread=False),
            "cursors": Provide(lambda: cursors, use_cache=True, sync_to_thread=False),
            "caller": CALLER,
            "page": PAGE,
        },
        middleware=_middleware(container),
        on_shutdown=[container.counters().leave_loop],
        exception_handlers=problems.HANDLERS,
        openapi_config=_openapi(),
        cors_config=_cors(container.config.cors_origins()),
        logging_config=None,
        debug=False,
    )
    app.observer = Observer(_metrics(container).http_request)
    return app
