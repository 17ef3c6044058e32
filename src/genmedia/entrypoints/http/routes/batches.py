"""Batches (API.md, Generation: batches; SPEC GEN-7): submit a batch of one request per
reference image, list the caller's batches and read one.

The body is read as plain JSON by `batch_from_document`, which names every bad field at
once (request_body.py describes it in the OpenAPI document). Another user's batch is 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.params import JSONBody

from genmedia.application.generation.documents import batch_from_document
from genmedia.entrypoints.http.auth import SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.batches import BatchView, batch_view
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.request_body import BatchOperation


def _me(caller: Caller) -> int:
    return caller.user.id or 0


@idempotent
@post(
    "/batches",
    status_code=202,
    security=SECURITY,
    responses=responses(400, 401, 402, 409, 422),
    sync_to_thread=True,
)
def submit_batch(data: JSONBody[dict[str, Any]], caller: Caller, container: Services) -> BatchView:
    """Accept a batch: a request per reference image, every job queued and the credits of
    the whole batch reserved together (402 if they are not all available)."""
    return batch_view(container.submit_batch(batch_from_document(_me(caller), data)))


submit_batch.operation_class = BatchOperation


@get("/batches", security=SECURITY, responses=responses(401, 422), sync_to_thread=True)
def list_batches(caller: Caller, page: Paging, container: Services) -> Page[BatchView]:
    """The caller's batches with their requests, newest first."""
    found = container.list_batches(_me(caller), after=page.after, limit=page.limit)
    return page_view(page, found, batch_view)


@get(
    "/batches/{batch_id:int}",
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def get_batch(batch_id: Id, caller: Caller, container: Services) -> BatchView:
    """One of the caller's batches with its requests and their jobs."""
    return batch_view(container.batch_of(_me(caller), batch_id))


router = Router("/v1", route_handlers=[submit_batch, list_batches, get_batch], tags=["generation"])
