"""The domain rules behind the admin of commerce: changing coupons and gift cards, admin
adjustments of credits, and retrying a failed job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from genmedia.domain import postings
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.errors import AlreadyUsed, IllegalTransition, InvalidValue
from genmedia.domain.gift_cards import GiftCard, GiftCardStatus
from genmedia.domain.job import Job
from genmedia.domain.job_input import JobInput
from genmedia.domain.request import GenerationRequest
from genmedia.domain.status import Status
from genmedia.domain.wallet import EntryKind, EntryType
from tests.commerce import T0


def _coupon(used: int = 0) -> Coupon:
    return Coupon(
        id=1, code="spring", discount_type=DiscountType.CREDITS, discount_value=50,
        max_uses=10, used_count=used, valid_from=T0,
    )  # fmt: skip


def _card(status: GiftCardStatus = GiftCardStatus.ACTIVE) -> GiftCard:
    return GiftCard(
        id=3, code_hash="h", code_hint="ABCD", purchaser_email="giver@example.com",
        credits=100, price=0, currency="USD", status=status, expires_at=T0 + timedelta(days=30),
    )  # fmt: skip


def test_an_unused_coupon_may_change_what_it_gives_and_is_checked_as_a_new_one() -> None:
    revised = _coupon().revised({"discount_type": DiscountType.PERCENTAGE, "discount_value": 20})
    assert (revised.discount_type, revised.discount_value, revised.code) == (
        DiscountType.PERCENTAGE,
        20,
        "SPRING",
    )
    with pytest.raises(InvalidValue) as raised:
        _coupon().revised({"discount_type": DiscountType.PERCENTAGE, "discount_value": 120})
    assert raised.value.field == "discount_value"


@pytest.mark.parametrize("field", ["discount_type", "discount_value", "currency"])
def test_a_used_coupon_keeps_what_it_gives(field: str) -> None:
    value = {"discount_type": DiscountType.CREDITS, "discount_value": 60, "currency": None}[field]
    with pytest.raises(InvalidValue) as raised:
        _coupon(used=1).revised({field: value})
    assert raised.value.field == field


def test_a_coupon_keeps_its_code_and_count_and_its_limit_covers_the_uses_counted() -> None:
    for field, value in (("code", "OTHER"), ("used_count", 0), ("id", 9)):
        with pytest.raises(InvalidValue) as raised:
            _coupon().revised({field: value})
        assert raised.value.field == field
    with pytest.raises(InvalidValue) as raised:
        _coupon(used=4).revised({"max_uses": 3})
    assert raised.value.field == "max_uses"
    assert _coupon(used=4).revised({"max_uses": 4, "is_active": False}).is_active is False


def test_a_pending_or_active_card_may_change_its_recipient_and_expiry_and_nothing_else() -> None:
    revised = _card().revised({"recipient_email": "Friend@Example.com", "expires_at": None})
    assert (revised.recipient_email, revised.expires_at) == ("friend@example.com", None)
    with pytest.raises(InvalidValue):
        _card().revised({"credits": 1000})
    with pytest.raises(IllegalTransition):
        _card(GiftCardStatus.REDEEMED).revised({"recipient_email": None})


def test_withdrawing_a_card_expires_it_once_and_a_redeemed_card_stays_as_it_is() -> None:
    card = _card(GiftCardStatus.PENDING)
    assert card.withdraw() is True
    assert card.status is GiftCardStatus.EXPIRED
    assert card.withdraw() is False
    with pytest.raises(IllegalTransition):
        _card(GiftCardStatus.REDEEMED).withdraw()


def test_an_admin_adjustment_is_a_grant_or_a_deduction_under_a_reference_of_its_user() -> None:
    grant = postings.admin_adjustment(7, "ticket-1", 25, " goodwill ")
    deduction = postings.admin_adjustment(7, "ticket-2", -5, "abuse")
    assert (grant.type, grant.amount, grant.reason, grant.kind) == (
        EntryType.CREDIT,
        25,
        "goodwill",
        EntryKind.ADMIN_ADJUSTMENT,
    )
    assert (deduction.type, deduction.amount) == (EntryType.DEBIT, 5)
    assert grant.reference_id == "admin:7:ticket-1"
    assert postings.admin_adjustment(8, "ticket-1", 25, "goodwill").reference_id != (
        grant.reference_id
    )


@pytest.mark.parametrize(
    ("amount", "reason", "reference", "field"),
    [
        (0, "r", "x", "amount"),
        (True, "r", "x", "amount"),
        (10**13, "r", "x", "amount"),
        (5, " ", "x", "reason"),
        (5, "r", "", "reference_id"),
        (5, "r", "x" * 151, "reference_id"),
    ],
)
def test_an_admin_adjustment_names_what_is_wrong_with_it(
    amount: int, reason: str, reference: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        postings.admin_adjustment(1, reference, amount, reason)
    assert raised.value.field == field


def _request(*statuses: Status) -> GenerationRequest:
    jobs = [
        Job(id=10 + i, request_id=1, user_id=4, feature_id=2, index=i, status=status,
            priority=3, input=JobInput(provider="local", credits=5))
        for i, status in enumerate(statuses)
    ]  # fmt: skip
    return GenerationRequest(id=1, user_id=4, feature_id=2, status=Status.FAILED, jobs=jobs)


def test_a_failed_job_is_retried_as_a_new_pending_job_of_its_request_at_the_same_price() -> None:
    request = _request(Status.FAILED, Status.FAILED)
    again = request.retry(10)
    assert (again.id, again.status, again.retry_of, again.index) == (None, Status.PENDING, 10, 2)
    assert (again.input, again.priority, again.user_id) == (request.jobs[0].input, 3, 4)
    assert request.jobs[0].status is Status.FAILED
    assert request.status is Status.PROCESSING


def test_only_a_failed_job_of_a_live_request_is_retried_and_only_once() -> None:
    request = _request(Status.FAILED, Status.CANCELLED, Status.COMPLETED)
    for job_id in (11, 12):
        with pytest.raises(IllegalTransition):
            request.retry(job_id)
    request.retry(10)
    with pytest.raises(AlreadyUsed):
        request.retry(10)
    deleted = _request(Status.FAILED)
    deleted.deleted_at = T0
    with pytest.raises(IllegalTransition):
        deleted.retry(10)
