"""Readiness: whether each service the process needs answers right now."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import attrs

log = logging.getLogger(__name__)


@attrs.frozen
class Readiness:
    """Which services answered (true) and which did not (false)."""

    checks: dict[str, bool]

    @property
    def ready(self) -> bool:
        """Whether every service answered."""
        return all(self.checks.values())


def check_readiness(*, probes: Mapping[str, Callable[[], object]]) -> Readiness:
    """Run each probe once; one that raises marks its service as not ready."""
    checks: dict[str, bool] = {}
    for name, probe in probes.items():
        try:
            probe()
            checks[name] = True
        except Exception as error:
            # The class only: a driver's message may quote a connection string.
            log.warning("readiness: %s unreachable (%s)", name, type(error).__name__)
            checks[name] = False
    return Readiness(checks)
