"""Generation (API.md, Generation without batches; SPEC GEN-1…6, GEN-10): estimate, submit,
list, read, cancel and delete the caller's requests.

The body of a request for a generation is read as plain JSON by `submit_from_document`,
which names every bad field at once (request_body.py describes it in the OpenAPI document).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from litestar import Router, delete, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter

from genmedia.application.generation.commands import CancelRequest, DeleteRequest
from genmedia.application.generation.documents import submit_from_document
from genmedia.domain.status import Status
from genmedia.entrypoints.http.auth import SECURITY
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.generation import (
    EstimateView,
    Link,
    RequestDetailView,
    RequestView,
    estimate_view,
    request_detail_view,
    request_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.request_body import EstimateOperation, SubmitOperation

Document = JSONBody[dict[str, Any]]
H = TypeVar("H", bound=HTTPRouteHandler)


def me(caller: Caller) -> int:
    """The id of the calling user."""
    return caller.user.id or 0


def link(container: Services) -> Link:
    """The time-limited URL of a media's stored object."""
    storage, expiry = container.storage(), container.config.url_expiry()
    return lambda media: storage.url(media.storage_path, expiry)


@post(
    "/requests/estimate",
    status_code=200,
    security=SECURITY,
    responses=responses(400, 401, 422),
    operation_class=EstimateOperation,
    sync_to_thread=True,
)
def estimate(data: Document, caller: Caller, container: Services) -> EstimateView:
    """What a request would cost and make; nothing is stored or reserved."""
    return estimate_view(container.estimate_request(submit_from_document(me(caller), data)))


def _submitted(handler: H) -> H:
    """Describe an idempotent handler's body as a request for a generation."""
    handler.operation_class = SubmitOperation
    return handler


@_submitted
@idempotent
@post(
    "/requests",
    status_code=202,
    security=SECURITY,
    responses=responses(400, 401, 402, 409, 422),
    sync_to_thread=True,
)
def submit(data: Document, caller: Caller, container: Services) -> RequestView:
    """Accept a request: its jobs are queued and their credits reserved."""
    return request_view(container.submit_request(submit_from_document(me(caller), data)))


@get("/requests", security=SECURITY, responses=responses(401, 422), sync_to_thread=True)
def list_requests(
    caller: Caller,
    page: Paging,
    container: Services,
    status: Annotated[Status | None, QueryParameter(description="Only requests in it.")] = None,
    archived: Annotated[
        bool, QueryParameter(description="List the archived requests instead.")
    ] = False,
) -> Page[RequestView]:
    """The caller's requests with their jobs, newest first, optionally in one status;
    requests finished long ago are archived and listed only with `archived=true`."""
    found = container.list_requests(
        me(caller), status, after=page.after, limit=page.limit, archived=archived
    )
    return page_view(page, found, request_view)


@get(
    "/requests/{request_id:int}",
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def get_request(request_id: Id, caller: Caller, container: Services) -> RequestDetailView:
    """One of the caller's requests with its jobs and media."""
    return request_detail_view(container.request_of(me(caller), request_id), link(container))


@idempotent
@post(
    "/requests/{request_id:int}/cancel",
    status_code=200,
    security=SECURITY,
    responses=responses(401, 404, 409, 422),
    sync_to_thread=True,
)
def cancel(request_id: Id, caller: Caller, container: Services) -> RequestView:
    """Cancel the pending jobs (their credits are released) and stop the running ones."""
    cmd = CancelRequest(user_id=me(caller), request_id=request_id)
    return request_view(container.cancel_request(cmd))


@delete(
    "/requests/{request_id:int}",
    status_code=204,
    security=SECURITY,
    responses=responses(401, 404, 422),
    sync_to_thread=True,
)
def delete_request(request_id: Id, caller: Caller, container: Services) -> None:
    """Hide one of the caller's requests, stopping its work first."""
    container.delete_request(DeleteRequest(user_id=me(caller), request_id=request_id))


router = Router(
    "/v1",
    route_handlers=[estimate, submit, list_requests, get_request, cancel, delete_request],
    tags=["generation"],
)
