"""BFL's webhook deliveries, told from forgeries by the shared secret (providers.md §1.8).

A submit that names `webhook_url` also names our `webhook_secret`; BFL echoes it in the
`X-Webhook-Secret` header of its delivery. A delivery may instead sign its raw body:
`X-BFL-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. Either is compared in constant
time. The body names the task by `id`; what it says of the outcome is confirmed by a poll.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from genmedia.application.ports import WebhookVerifier
from genmedia.domain.errors import FieldError, InvalidSignature

SIGNATURE_PREFIX = "sha256="


class BflWebhookVerifier(WebhookVerifier):
    """Verifies BFL deliveries against the webhook secret our submits name."""

    provider = "bfl"

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the BFL webhook secret must not be empty")
        self._secret = secret.encode()

    def __repr__(self) -> str:
        return "BflWebhookVerifier(***)"

    def task_of(self, headers: Mapping[str, str], body: bytes) -> str:
        """The task id of a genuine delivery (see the module docstring)."""
        if not self._genuine(headers, body):
            raise InvalidSignature("the delivery carries no valid BFL webhook secret or signature")
        try:
            task_id = json.loads(body).get("id")
        except (ValueError, AttributeError):
            task_id = None
        if not isinstance(task_id, str) or not task_id:
            raise FieldError("id", "the delivery names no task")
        return task_id

    def _genuine(self, headers: Mapping[str, str], body: bytes) -> bool:
        echoed = headers.get("x-webhook-secret")
        if echoed is not None:
            return hmac.compare_digest(echoed.encode(), self._secret)
        signature = headers.get("x-bfl-signature", "")
        if not signature.startswith(SIGNATURE_PREFIX):
            return False
        expected = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature[len(SIGNATURE_PREFIX) :].encode(), expected.encode())
