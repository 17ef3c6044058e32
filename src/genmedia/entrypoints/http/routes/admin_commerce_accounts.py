"""Admin: users with their wallets, credit grants and deductions, job retries (API.md, Admin).

`POST /v1/admin/users/{id}/credits` `{amount, reason, reference_id}` grants a positive
amount and deducts a negative one; the reference applies once per user, so the same call
again answers the first entry. A deduction beyond the available credits is a 402
`insufficient_credits` and changes nothing. `POST /v1/admin/jobs/{id}/retry` runs a failed
job again as a new pending job, its cost held (402 if its owner cannot pay), 409 for a job
that did not fail or was retried already.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.params import JSONBody, QueryParameter

from genmedia.entrypoints.http.admin import admin_router
from genmedia.entrypoints.http.dependencies import Caller, Paging, Services
from genmedia.entrypoints.http.idempotency import idempotent
from genmedia.entrypoints.http.pagination import Page
from genmedia.entrypoints.http.params import Id
from genmedia.entrypoints.http.presenters.admin_commerce import (
    AdminUserDetailView,
    AdminUserView,
    RetriedJobView,
    admin_user_detail_view,
    admin_user_view,
    retried_job_view,
)
from genmedia.entrypoints.http.presenters.pages import page_view
from genmedia.entrypoints.http.presenters.wallet import TransactionView, transaction_view
from genmedia.entrypoints.http.problems import responses

Search = Annotated[str | None, QueryParameter(description="Part of the e-mail, in any case.")]


@get("/users", responses=responses(401, 403, 422), sync_to_thread=True)
def list_users(page: Paging, container: Services, email: Search = None) -> Page[AdminUserView]:
    """Users, newest first, optionally those whose e-mail contains `email`."""
    found = container.admin_list_users(email=email, after=page.after, limit=page.limit)
    return page_view(page, found, admin_user_view)


@get("/users/{user_id:int}", responses=responses(401, 403, 404, 422), sync_to_thread=True)
def get_user(user_id: Id, container: Services) -> AdminUserDetailView:
    """One user with their wallet."""
    return admin_user_detail_view(container.admin_user_account(user_id))


@idempotent
@post(
    "/users/{user_id:int}/credits",
    status_code=200,
    responses=responses(401, 402, 403, 404, 409, 422),
    sync_to_thread=True,
)
def adjust_credits(
    user_id: Id, data: JSONBody[dict[str, Any]], caller: Caller, container: Services
) -> TransactionView:
    """Grant (positive `amount`) or deduct (negative) credits, once per `reference_id`: the
    ledger entry, the first one when the reference was used before."""
    entry = container.admin_adjust_credits(caller.user.id, user_id, data)
    return transaction_view(entry)


@idempotent
@post(
    "/jobs/{job_id:int}/retry",
    status_code=202,
    responses=responses(401, 402, 403, 404, 409, 422),
    sync_to_thread=True,
)
def retry_job(job_id: Id, caller: Caller, container: Services) -> RetriedJobView:
    """Run a failed job again: a new pending job of its request, its cost held."""
    return retried_job_view(container.admin_retry_job(caller.user.id, job_id))


router = admin_router([list_users, get_user, adjust_credits, retry_job], "admin")
