"""Stripe's signed events and Telegram's secret token, checked before anything is read."""

from __future__ import annotations

import json

import pytest

from genmedia.adapters.payments import StripeVerifier, TelegramStarsVerifier, sign
from genmedia.domain.errors import InvalidSignature, InvalidValue
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider
from tests.commerce import T0
from tests.fakes import FakeClock
from tests.payments import (
    STRIPE_SECRET,
    TELEGRAM_SECRET,
    charge_refunded,
    checkout_completed,
    stripe_event,
    stripe_headers,
    telegram_headers,
    telegram_update,
)

NOW = int(T0.timestamp())
PAID = checkout_completed("pay_abc", "pi_1", 1999, "USD")


@pytest.fixture
def stripe() -> StripeVerifier:
    return StripeVerifier(STRIPE_SECRET, clock=FakeClock(T0))


def test_a_signed_checkout_session_completed_is_read_as_the_payment_of_our_reference(
    stripe: StripeVerifier,
) -> None:
    assert stripe.verify(stripe_headers(PAID, NOW), PAID) == PaymentNotification(
        provider=PaymentProvider.STRIPE,
        event=PaymentEvent.PAID,
        charge_id="pi_1",
        amount=1999,
        currency="usd",
        reference="pay_abc",
    )


def test_a_signed_charge_refunded_is_read_as_the_refund_of_its_payment_intent(
    stripe: StripeVerifier,
) -> None:
    body = charge_refunded("pi_1", 1999, "USD")
    notice = stripe.verify(stripe_headers(body, NOW), body)
    assert notice is not None
    assert (notice.event, notice.charge_id) == (PaymentEvent.REFUNDED, "pi_1")


def test_an_async_payment_that_succeeded_is_read_as_paid(stripe: StripeVerifier) -> None:
    session = json.loads(PAID)["data"]["object"]
    body = stripe_event("checkout.session.async_payment_succeeded", session)
    notice = stripe.verify(stripe_headers(body, NOW), body)
    assert notice is not None
    assert (notice.event, notice.reference) == (PaymentEvent.PAID, "pay_abc")


@pytest.mark.parametrize(
    "body",
    [
        stripe_event("customer.created", {"id": "cus_1", "object": "customer"}),
        stripe_event("checkout.session.completed", {"payment_status": "unpaid"}),
        charge_refunded("pi_1", 1999, "USD", whole=False),
    ],
)
def test_an_authentic_event_we_do_not_act_on_is_ignored(
    stripe: StripeVerifier, body: bytes
) -> None:
    assert stripe.verify(stripe_headers(body, NOW), body) is None


def test_one_matching_signature_among_several_v1_is_enough(stripe: StripeVerifier) -> None:
    good = sign(STRIPE_SECRET, PAID, NOW).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},{good},v0={'1' * 64}"
    assert stripe.verify({"stripe-signature": header}, PAID) is not None


@pytest.mark.parametrize(
    "header",
    [
        sign("whsec_someone_else", PAID, NOW),
        sign(STRIPE_SECRET, PAID + b" ", NOW),
        f"t={NOW},v1={'a' * 64}",
        f"t={NOW},v0={sign(STRIPE_SECRET, PAID, NOW).split('v1=')[1]}",
    ],
)
def test_a_forged_signature_is_refused(stripe: StripeVerifier, header: str) -> None:
    with pytest.raises(InvalidSignature, match=r"does not match|malformed"):
        stripe.verify({"Stripe-Signature": header}, PAID)


@pytest.mark.parametrize(
    ("offset", "fresh"), [(-301, False), (-300, True), (300, True), (301, False)]
)
def test_a_signature_older_or_newer_than_300_seconds_is_refused_as_stale(
    stripe: StripeVerifier, offset: int, fresh: bool
) -> None:
    headers = stripe_headers(PAID, NOW + offset)
    if fresh:
        assert stripe.verify(headers, PAID) is not None
    else:
        with pytest.raises(InvalidSignature, match="too old"):
            stripe.verify(headers, PAID)


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", f"t={NOW}", f"v1={'a' * 64}", f"t=x,v1={'a' * 64}",
     f"t={NOW},t={NOW},v1={'a' * 64}", f"t={'9' * 40},v1=aa", f"t={NOW},v1=é"],
)  # fmt: skip
def test_a_missing_or_malformed_signature_header_is_refused(
    stripe: StripeVerifier, header: str | None
) -> None:
    headers = {} if header is None else {"Stripe-Signature": header}
    with pytest.raises(InvalidSignature):
        stripe.verify(headers, PAID)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"\xff\xfe",
        stripe_event("checkout.session.completed", {}).replace(b'{"object": {}}', b'"x"'),
        stripe_event("checkout.session.completed", {"payment_status": "paid"}),
        checkout_completed("", "pi_1", 1999, "USD"),
        checkout_completed("pay_abc", "pi_1", -5, "USD"),
    ],
)
def test_a_signed_body_that_is_not_a_usable_event_is_refused_as_invalid(
    stripe: StripeVerifier, body: bytes
) -> None:
    with pytest.raises(InvalidValue):
        stripe.verify(stripe_headers(body, NOW), body)


def test_a_body_is_not_read_before_its_signature_is_checked(stripe: StripeVerifier) -> None:
    with pytest.raises(InvalidSignature):
        stripe.verify({"Stripe-Signature": f"t={NOW},v1={'a' * 64}"}, b"not json")


def test_the_stripe_secret_appears_in_no_repr_and_no_error(stripe: StripeVerifier) -> None:
    with pytest.raises(InvalidSignature) as raised:
        stripe.verify(stripe_headers(PAID, NOW - 3600), PAID)
    shown = f"{stripe!r} {stripe!s} {raised.value!r} {raised.value.args}"
    assert STRIPE_SECRET not in shown


def test_a_stripe_verifier_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        StripeVerifier("", clock=FakeClock())


def test_telegram_checks_the_secret_token_before_reading_the_update() -> None:
    telegram = TelegramStarsVerifier(TELEGRAM_SECRET)
    with pytest.raises(InvalidSignature):
        telegram.verify(telegram_headers(TELEGRAM_SECRET[:-1]), b"not json")
    update = telegram_update("pay_abc", "tg_1", 50)
    notice = telegram.verify(telegram_headers(), update)
    assert notice is not None
    assert (notice.reference, notice.charge_id, notice.amount) == ("pay_abc", "tg_1", 50)
