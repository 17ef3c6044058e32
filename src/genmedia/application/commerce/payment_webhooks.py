"""A payment provider's webhook delivery: verified, then applied once (SPEC WAL-4).

The verifier of the provider named in the path checks the raw body before anything in it is
read. An authentic delivery is applied by `apply_notification`: a charge credits once however
often and in whatever order it is delivered, a refund claws back once. A delivery that is
refused (an amount or currency other than the payment's, a reference that is not ours, a
second charge for a paid payment) changes nothing and is logged at WARNING, without secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from genmedia.application.commerce.refunds import apply_notification
from genmedia.application.ports import Clock, PaymentVerifier, UnitOfWork
from genmedia.domain.errors import (
    AlreadyUsed,
    IllegalTransition,
    InvalidValue,
    NotFound,
    UnknownPayment,
)
from genmedia.domain.purchases import Payment, PaymentNotification

log = logging.getLogger(__name__)

REFUSALS = (InvalidValue, UnknownPayment, IllegalTransition, AlreadyUsed)


def receive_payment(
    provider: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    verifiers: Mapping[str, PaymentVerifier],
    uow: UnitOfWork,
    clock: Clock,
) -> Payment | None:
    """Apply one delivery of `provider`'s webhook; the payment it moved, or None if the
    delivery asks nothing of us.

    NotFound if the provider is not enabled (no secret is configured); InvalidSignature
    (401) for an unsigned, forged or stale delivery; ChargeNotPaidYet (409) for a refund
    delivered before its payment, to be delivered again.
    """
    verifier = verifiers.get(provider)
    if verifier is None:
        raise NotFound("payment provider", provider)
    notification = verifier.verify(headers, body)
    if notification is None:
        return None
    try:
        return apply_notification(notification, uow=uow, clock=clock)
    except REFUSALS as error:
        _warn(notification, error)
        raise


def _warn(notification: PaymentNotification, error: Exception) -> None:
    log.warning(
        "%s %s of charge %r (reference %r) refused: %s",
        notification.provider.value,
        notification.event.value,
        notification.charge_id,
        notification.reference or notification.payment_id,
        error,
    )
