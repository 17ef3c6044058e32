"""Every ledger posting the product makes, each under its namespaced reference (SPEC WAL-3).

A reference names the one act that moved credits, so that a replay of the act finds the
entry it made the first time (ARCHITECTURE §5):

    welcome:{user}                  the welcome credits of a new user
    admin:{user}:{reference}        an admin's grant or deduction
    job:{job}:capture               a completed job's charge
    hold:{hold}:capture             the charge of a hold captured by hand
    expire:lot:{lot}:{remaining}    what was left of a lot when it expired
    payment:{provider}:{charge}     the credits a payment bought
    refund:{provider}:{charge}      the claw-back when that payment is refunded
    coupon:{coupon}:{user}          a credits coupon redeemed by a user
    gift_card:{card}                a gift card's credits
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genmedia.domain.errors import InvalidValue
from genmedia.domain.wallet import EntryKind, EntryType, Links, Posting

if TYPE_CHECKING:  # only annotations: the aggregates' modules may build references here
    from genmedia.domain.coupons import Coupon
    from genmedia.domain.gift_cards import GiftCard
    from genmedia.domain.holds import CreditHold
    from genmedia.domain.job import Job
    from genmedia.domain.lots import CreditLot
    from genmedia.domain.purchases import Payment

WELCOME_CREDITS = 100
"""What a new user is given unless configured otherwise."""
MAX_REASON = 500
MAX_ADMIN_REFERENCE = 150
MAX_CREDITS = 10**12


def welcome(user_id: int, amount: int) -> Posting:
    """The welcome credits of a new user."""
    return Posting(
        reference_id=f"welcome:{user_id}",
        type=EntryType.CREDIT,
        kind=EntryKind.BONUS,
        amount=amount,
        reason="welcome credits",
    )


def admin_reference(user_id: int, reference_id: str) -> str:
    """The ledger reference of an admin's grant or deduction for a user: the admin's own
    reference is scoped to the user, so it applies once per user."""
    return f"admin:{user_id}:{reference_id}"


def admin_adjustment(user_id: int, reference_id: str, amount: int, reason: str) -> Posting:
    """An admin's grant (positive amount) or deduction (negative), which needs a reason and
    a reference. Who made it is the audit log's to say, so that the same adjustment sent
    again, by any admin, is a replay and not a conflict."""
    if not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidValue("reason", f"must have 1 to {MAX_REASON} characters")
    if not reference_id.strip() or len(reference_id) > MAX_ADMIN_REFERENCE:
        raise InvalidValue("reference_id", f"must have 1 to {MAX_ADMIN_REFERENCE} characters")
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not 0 < abs(amount) <= MAX_CREDITS
    ):
        raise InvalidValue(
            "amount", f"must be a whole number from -{MAX_CREDITS} to {MAX_CREDITS}, not 0"
        )
    return Posting(
        reference_id=admin_reference(user_id, reference_id.strip()),
        type=EntryType.CREDIT if amount > 0 else EntryType.DEBIT,
        kind=EntryKind.ADMIN_ADJUSTMENT,
        amount=abs(amount),
        reason=reason.strip(),
        source="admin",
    )


def job_charge(job: Job, amount: int, media_id: int | None) -> Posting | None:
    """The charge of a completed job (a training, an edit or a generation, as its input
    says), linked to its first media and to the trained model it trains or applies; None if
    the job is charged nothing."""
    if amount == 0:
        return None
    kind = job.input.kind
    return Posting(
        reference_id=f"job:{job.id}:capture",
        type=EntryType.DEBIT,
        kind=kind,
        amount=amount,
        reason=f"{kind.value} job {job.id}",
        links=Links(
            request_id=job.request_id,
            job_id=job.id,
            media_id=media_id,
            trained_model_id=job.input.trained_model_id,
        ),
    )


def hold_capture_reference(hold_id: int) -> str:
    """The reference of the charge made when a hold is captured by hand."""
    return f"hold:{hold_id}:capture"


def hold_capture(
    hold: CreditHold, kind: EntryKind, amount: int, reason: str = ""
) -> Posting | None:
    """The charge of a hold captured by hand; None if it charges nothing."""
    if amount == 0:
        return None
    return Posting(
        reference_id=hold_capture_reference(hold.id or 0),
        type=EntryType.DEBIT,
        kind=kind,
        amount=amount,
        reason=reason or f"hold {hold.id}",
        links=Links(request_id=hold.request_id, job_id=hold.job_id),
    )


def lot_expiry(lot: CreditLot, amount: int) -> Posting:
    """The debit taking back `amount` of what was left of an expired lot."""
    return Posting(
        reference_id=f"expire:lot:{lot.id}:{lot.remaining}",
        type=EntryType.DEBIT,
        kind=EntryKind.EXPIRY,
        amount=amount,
        reason=f"credits from {lot.reference_id} expired",
    )


def purchase_reference(provider: str, charge_id: str | None) -> str:
    """The reference of the credits a payment bought."""
    return f"payment:{provider}:{charge_id}"


def refund_reference(provider: str, charge_id: str | None) -> str:
    """The reference of the claw-back when a payment is refunded."""
    return f"refund:{provider}:{charge_id}"


def purchase(payment: Payment) -> Posting:
    """The credits a confirmed payment bought."""
    return Posting(
        reference_id=purchase_reference(payment.provider.value, payment.charge_id),
        type=EntryType.CREDIT,
        kind=EntryKind.PURCHASE,
        amount=payment.credits,
        reason=f"credit pack {payment.credit_pack_id}",
        source=payment.provider.value,
        links=Links(payment_id=payment.id, coupon_id=payment.coupon_id),
    )


def refund(payment: Payment, amount: int) -> Posting:
    """The claw-back of `amount` of a refunded payment's credits."""
    return Posting(
        reference_id=refund_reference(payment.provider.value, payment.charge_id),
        type=EntryType.DEBIT,
        kind=EntryKind.REFUND,
        amount=amount,
        reason=f"refund of payment {payment.id}",
        source=payment.provider.value,
        links=Links(payment_id=payment.id),
    )


def coupon_reference(coupon_id: int, user_id: int) -> str:
    """The reference of a credits coupon redeemed by a user."""
    return f"coupon:{coupon_id}:{user_id}"


def coupon_credits(coupon: Coupon, user_id: int) -> Posting:
    """The credits a credits coupon gives the user redeeming it."""
    return Posting(
        reference_id=coupon_reference(coupon.id or 0, user_id),
        type=EntryType.CREDIT,
        kind=EntryKind.COUPON,
        amount=coupon.credits_awarded,
        reason=f"coupon {coupon.code}",
        links=Links(coupon_id=coupon.id),
    )


def gift_card(card: GiftCard) -> Posting:
    """The credits of a redeemed gift card."""
    return Posting(
        reference_id=f"gift_card:{card.id}",
        type=EntryType.CREDIT,
        kind=EntryKind.GIFT_CARD,
        amount=card.credits,
        reason=f"gift card …{card.code_hint}",
        links=Links(gift_card_id=card.id),
    )
