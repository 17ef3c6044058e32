"""Catalog (SPEC CAT-1…8): features, tags, provider models, templates, trends, seeding, and
the catalog as code (issue #20 §5)."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.application.catalog import loading, model_sync, seeding, templates, trends
from genmedia.application.catalog import queries as catalog_queries
from genmedia.domain.trending import TrendFormula
from genmedia.entrypoints.infrastructure import Infrastructure

config = Infrastructure.config
uow = Infrastructure.uow
clock = Infrastructure.clock


class CatalogServices(Infrastructure):
    """Reading the catalog, seeding it, exporting and loading it as a document, syncing model
    schemas and refreshing trends."""

    seed_catalog = providers.Callable(
        seeding.seed_catalog,
        uow=uow,
        hasher=Infrastructure.hasher,
        clock=clock,
        admin_email=config.admin_email,
        admin_password=config.admin_password,
    )
    export_catalog = providers.Callable(loading.export_catalog, uow=uow)
    load_catalog = providers.Callable(loading.load_catalog, uow=uow, clock=clock)
    sync_model_schema = providers.Callable(
        model_sync.sync_model_schema, sources=Infrastructure.schema_sources, uow=uow, clock=clock
    )
    list_features = providers.Callable(catalog_queries.list_features, uow=uow)
    get_feature = providers.Callable(catalog_queries.get_feature, uow=uow)
    list_tags = providers.Callable(catalog_queries.list_tags, uow=uow)
    list_provider_models = providers.Callable(catalog_queries.list_provider_models, uow=uow)
    list_templates = providers.Callable(templates.list_templates, uow=uow)
    view_template = providers.Callable(templates.view_template, uow=uow, clock=clock)
    trend_formula = providers.Singleton(
        TrendFormula,
        window=providers.Callable(timedelta, hours=config.trend_window_hours),
        half_life=providers.Callable(timedelta, hours=config.trend_half_life_hours),
        use_weight=config.trend_use_weight,
    )
    refresh_trends = providers.Callable(
        trends.refresh_trends, uow=uow, clock=clock, formula=trend_formula
    )
