"""The routers of the HTTP API, one module per API.md section; `create_app` mounts ROUTERS.

A new section adds its module here and appends its `router` to ROUTERS.
"""

from litestar import Router

from genmedia.entrypoints.http.routes import (
    admin_articles,
    admin_audit,
    admin_catalog,
    admin_catalog_templates,
    admin_commerce,
    admin_commerce_accounts,
    admin_settings,
    articles,
    batches,
    catalog,
    files,
    generation,
    identity,
    media,
    operations,
    payments,
    trainings,
    wallet,
    webhooks,
)

ROUTERS: list[Router] = [
    identity.router,
    operations.router,
    catalog.router,
    generation.router,
    batches.router,
    wallet.router,
    payments.router,
    media.router,
    files.router,
    webhooks.router,
    admin_audit.router,
    admin_settings.router,
    articles.router,
    admin_articles.router,
    payments.webhooks,
    admin_commerce.router,
    admin_commerce_accounts.router,
    admin_catalog.router,
    admin_catalog_templates.router,
    trainings.router,
]
