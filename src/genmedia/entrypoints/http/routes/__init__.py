"""The routers of the HTTP API, one module per API.md section; `create_app` mounts ROUTERS.

A new section adds its module here and appends its `router` to ROUTERS.
"""

from litestar import Router

from genmedia.entrypoints.http.routes import (
    admin_audit,
    catalog,
    files,
    generation,
    identity,
    media,
    operations,
    trainings,
    wallet,
    webhooks,
)

ROUTERS: list[Router] = [
    identity.router,
    operations.router,
    catalog.router,
    generation.router,
    wallet.router,
    media.router,
    files.router,
    webhooks.router,
    admin_audit.router,
    trainings.router,
]
