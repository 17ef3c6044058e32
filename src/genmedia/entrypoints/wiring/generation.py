"""Generation (SPEC GEN-1…10) and media (GEN-8, GEN-9): requests, uploads, the library."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from genmedia.application.generation import batches, requests
from genmedia.application.generation import queries as generation_queries
from genmedia.application.media import library, uploads
from genmedia.application.operations import retention
from genmedia.application.settings import overrides
from genmedia.domain.request import ARCHIVE_DAYS
from genmedia.domain.uploads import UploadLimits
from genmedia.entrypoints.infrastructure import Infrastructure

config = Infrastructure.config
uow = Infrastructure.uow
clock = Infrastructure.clock
storage = Infrastructure.storage
images = Infrastructure.images


class GenerationServices(Infrastructure):
    """Estimating, submitting, cancelling and reading requests and batches; uploads and the
    media library."""

    estimate_request = providers.Callable(requests.estimate_request, uow=uow, clock=clock)
    hold_ttl = providers.Callable(timedelta, seconds=config.hold_ttl_seconds)
    submit_request = providers.Callable(
        requests.submit_request, uow=uow, clock=clock, hold_ttl=hold_ttl
    )
    cancel_request = providers.Callable(requests.cancel_request, uow=uow, clock=clock)
    delete_request = providers.Callable(requests.delete_request, uow=uow, clock=clock)
    request_details = providers.Callable(generation_queries.request_details, uow=uow)
    request_of = providers.Callable(generation_queries.request_of, uow=uow)
    list_requests = providers.Callable(generation_queries.list_requests, uow=uow)
    submit_batch = providers.Callable(batches.submit_batch, uow=uow, clock=clock, hold_ttl=hold_ttl)
    batch_of = providers.Callable(batches.batch_of, uow=uow)
    batch_details = providers.Callable(batches.batch_details, uow=uow)
    list_batches = providers.Callable(batches.list_batches, uow=uow)
    upload_limits = providers.ThreadSafeSingleton(
        UploadLimits, max_bytes=config.upload_max_bytes, max_pixels=config.upload_max_pixels
    )
    upload_media = providers.Callable(
        uploads.upload_media, uow=uow, storage=storage, images=images, limits=upload_limits
    )
    store_upload = providers.Callable(uploads.store_upload, uow=uow, storage=storage, images=images)
    list_media = providers.Callable(
        library.list_media, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    get_media = providers.Callable(
        library.get_media, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    link_media = providers.Callable(
        library.link_media, storage=storage, url_expiry=config.url_expiry
    )
    set_favorite = providers.Callable(library.set_favorite, uow=uow)
    media_content = providers.Callable(
        library.media_content, uow=uow, storage=storage, url_expiry=config.url_expiry
    )
    delete_media = providers.Callable(retention.delete_media, uow=uow, clock=clock)
    apply_retention = providers.Callable(
        retention.apply_retention,
        uow=uow,
        storage=storage,
        clock=clock,
        job_days=config.job_retention_days,
        media_days=config.media_retention_days,
        archive_days=providers.Callable(
            overrides.configured_or_setting,
            "request_archive_days",
            config.request_archive_days,
            ARCHIVE_DAYS,
            uow=uow,
            cipher=Infrastructure.cipher,
        ),
    )
