"""How long a job may take and how its failed attempts are spaced."""

from __future__ import annotations

from datetime import timedelta

import attrs

from genmedia.application.execution import steps


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long a job may take and how its failed attempts are spaced."""

    job_timeout: timedelta = steps.DEFAULT_JOB_TIMEOUT
    base_delay: float = 2.0
    max_delay: float = 60.0
    # The least seconds between polls of a task whose webhook is expected.
    webhook_pace: float = 30.0
