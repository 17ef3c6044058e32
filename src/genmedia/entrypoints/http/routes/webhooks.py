"""Provider webhooks (API.md, Provider webhooks and operations; SPEC EXE-2).

A delivery is verified against its raw body before anything in it is used; then the job
waiting on the task it names is polled now. An unverified delivery answers 401 and changes
nothing; a duplicate, or one about a job polled or finished already, is accepted and does
nothing more. Webhooks are not rate-limited: a provider sends what its tasks produce.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, post
from litestar.params import FromPath

from genmedia.entrypoints.http.auth import ANONYMOUS
from genmedia.entrypoints.http.dependencies import Services
from genmedia.entrypoints.http.limits import UNLIMITED
from genmedia.entrypoints.http.presenters.operations import WebhookReceipt
from genmedia.entrypoints.http.problems import responses
from genmedia.entrypoints.http.threads import in_thread

BODY_LIMIT = 1024 * 1024


@post(
    "/{provider:str}",
    status_code=202,
    responses=responses(401, 404, 413),
    request_max_body_size=BODY_LIMIT,
)
async def provider_webhook(
    provider: FromPath[str], request: Request[Any, Any, Any], container: Services
) -> WebhookReceipt:
    """A provider says one of its tasks finished: the job waiting on it is polled now."""
    body = await request.body()
    headers = {name.lower(): value for name, value in request.headers.items()}
    hurried = await in_thread(container.receive_webhook, provider, headers, body)
    return WebhookReceipt(accepted=True, polled=len(hurried))


router = Router(
    "/v1/webhooks",
    route_handlers=[provider_webhook],
    tags=["webhooks"],
    opt={ANONYMOUS: True, UNLIMITED: True},
)
