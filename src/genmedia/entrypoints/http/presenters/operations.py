"""Bodies of the operations routes."""

from __future__ import annotations

import attrs

from genmedia.application.operations.health import Readiness


@attrs.frozen(kw_only=True)
class Health:
    """The process answers."""

    status: str


@attrs.frozen(kw_only=True)
class ReadinessView:
    """`ok` when every service answered; each service as `ok` or `unavailable`."""

    status: str
    checks: dict[str, str]


def readiness_view(readiness: Readiness) -> ReadinessView:
    """The readiness of the services as the API shows it."""
    return ReadinessView(
        status="ok" if readiness.ready else "unavailable",
        checks={name: "ok" if ok else "unavailable" for name, ok in readiness.checks.items()},
    )


@attrs.frozen(kw_only=True)
class WebhookReceipt:
    """A provider's delivery was genuine; `polled`: how many waiting jobs are polled now."""

    accepted: bool
    polled: int
