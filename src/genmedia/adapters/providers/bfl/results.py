"""What a `get_result` answer means: keep waiting, finished with a sample, or failed.

Statuses (BFL OpenAPI `StatusResponse`): Pending, Ready, Request Moderated (the prompt or
input image was blocked), Content Moderated (the output was blocked), Error, Task not found.
"Queued" and "Processing" are taken as Pending too; any other status is a failure, as in the
official SDK, so an unknown state never polls forever.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Any

import attrs

from genmedia.application.errors import ProviderError
from genmedia.application.ports import Finished, Outcome, ProviderOutput, Waiting
from genmedia.domain.moderation import ModerationStage
from genmedia.domain.provider_cost import CostUnit, ProviderCost

_WAITING = frozenset({"pending", "queued", "processing"})
_MODERATED = {
    "request moderated": "the prompt or input image was blocked by BFL's moderation",
    "content moderated": "the generated image was blocked by BFL's moderation",
}
_STAGES = {"request moderated": ModerationStage.INPUT, "content moderated": ModerationStage.OUTPUT}
_FAILED = frozenset({"error", "failed"})
_RESULT_FACTS = ("seed", "start_time", "end_time", "duration")
_MAX_REASONS = 300


@attrs.frozen(kw_only=True)
class Charge:
    """What the submit answer said the task costs."""

    credits: float | None = None
    input_mp: float | None = None
    output_mp: float | None = None

    @classmethod
    def from_submit(cls, answer: dict[str, Any]) -> Charge:
        return cls(
            credits=_number(answer.get("cost")),
            input_mp=_number(answer.get("input_mp")),
            output_mp=_number(answer.get("output_mp")),
        )

    def cost(self) -> ProviderCost | None:
        """The task's cost in BFL credits, if BFL named it."""
        return None if self.credits is None else ProviderCost(self.credits, CostUnit.BFL_CREDITS)

    def facts(self) -> dict[str, float]:
        named = {"input_mp": self.input_mp, "output_mp": self.output_mp}
        return {name: value for name, value in named.items() if value is not None}


class Charges:
    """The charges of recently submitted tasks, kept in memory until their task finishes.

    BFL reports the cost only in the submit answer. Its credits also travel in the
    submit's Waiting and are kept on the job row, so a poll in another process (or after a
    restart) still completes the job with them; only the provider metadata's facts
    (megapixels) are then missing.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._charges: OrderedDict[str, Charge] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, task_id: str, charge: Charge) -> None:
        with self._lock:
            self._charges[task_id] = charge
            while len(self._charges) > self._capacity:
                self._charges.popitem(last=False)

    def take(self, task_id: str) -> Charge | None:
        with self._lock:
            return self._charges.pop(task_id, None)


def outcome_of(
    task_id: str, answer: Any, *, poll_after: float, polling_url: str | None, charges: Charges
) -> Outcome:
    """The Outcome a `get_result` answer stands for; ProviderError for every failure."""
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        raise ProviderError(
            "provider_unavailable", "BFL answered the poll without a status", retryable=True
        )
    status = answer["status"]
    key = status.strip().lower()
    if key in _WAITING:
        progress = _progress(answer.get("progress"))
        return Waiting(
            task_id=task_id, polling_url=polling_url, poll_after=poll_after, progress=progress
        )
    if key == "ready":
        return _finished(task_id, answer, charges.take(task_id))
    charges.take(task_id)
    if key in _MODERATED:
        reasons = _reasons(answer.get("details"))
        stage = _STAGES[key]
        raise ProviderError("content_moderated", _MODERATED[key] + reasons, moderation=stage)
    if key == "task not found":
        raise ProviderError("provider_task_not_found", f"BFL knows no task {task_id!r}")
    if key in _FAILED:
        raise ProviderError("provider_error", f"BFL failed the task ({status})")
    raise ProviderError("provider_error", f"BFL answered an unknown status {status[:60]!r}")


def _finished(task_id: str, answer: dict[str, Any], charge: Charge | None) -> Finished:
    result = answer.get("result")
    sample = result.get("sample") if isinstance(result, dict) else None
    if not isinstance(result, dict) or not isinstance(sample, str) or not sample:
        raise ProviderError("provider_error", "BFL said Ready but gave no sample URL")
    charge = charge or Charge.from_submit(answer)
    metadata: dict[str, Any] = {"task_id": task_id, **charge.facts()}
    metadata.update({name: result[name] for name in _RESULT_FACTS if _is_plain(result.get(name))})
    return Finished(
        outputs=(ProviderOutput(url=sample),), provider_cost=charge.cost(), metadata=metadata
    )


def _reasons(details: Any) -> str:
    """BFL's moderation reasons, if it gave any, as ": a, b"."""
    reasons = details.get("Moderation Reasons") if isinstance(details, dict) else None
    if not isinstance(reasons, list) or not reasons:
        return ""
    text = ", ".join(str(reason) for reason in reasons)
    return ": " + (text if len(text) <= _MAX_REASONS else text[: _MAX_REASONS - 1] + "…")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _is_plain(value: Any) -> bool:
    return value is not None and isinstance(value, str | int | float | bool)


def _progress(value: Any) -> float | None:
    """BFL's `progress` of a pending task (0 to 1), if it is a usable number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= 1 else None
