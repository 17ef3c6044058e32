"""The payment verifiers: Telegram Stars' secret token and the signed generic webhook."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from genmedia.adapters.payments import SignedWebhookVerifier, TelegramStarsVerifier, sign
from genmedia.domain.errors import InvalidSignature, InvalidValue
from genmedia.domain.purchases import PaymentEvent, PaymentNotification, PaymentProvider
from tests.commerce import T0
from tests.fakes import FakeClock

pytestmark = pytest.mark.integration

TG_SECRET = "tg-secret-token_123"
WH_SECRET = "whsec-very-secret-value"
NOW = int(T0.timestamp())


def _update(kind: str = "successful_payment", **overrides: Any) -> bytes:
    payment = {
        "currency": "XTR",
        "total_amount": 250,
        "invoice_payload": "pay_42",
        "telegram_payment_charge_id": "tg_charge_1",
        "provider_payment_charge_id": "",
        **overrides,
    }
    return json.dumps({"update_id": 9, "message": {"message_id": 1, kind: payment}}).encode()


def _webhook_body(event: object = "payment.succeeded", **overrides: Any) -> bytes:
    body = {"event": event, "charge_id": "wh_1", "payment_id": 42, "amount": 999}
    return json.dumps({**body, "currency": "USD", **overrides}).encode()


@pytest.fixture
def telegram() -> TelegramStarsVerifier:
    return TelegramStarsVerifier(TG_SECRET)


@pytest.fixture
def webhook() -> SignedWebhookVerifier:
    return SignedWebhookVerifier(WH_SECRET, clock=FakeClock(T0), tolerance=timedelta(minutes=5))


def test_a_telegram_successful_payment_with_the_right_secret_is_read(
    telegram: TelegramStarsVerifier,
) -> None:
    headers = {"x-telegram-bot-api-secret-token": TG_SECRET}
    assert telegram.verify(headers, _update()) == PaymentNotification(
        provider=PaymentProvider.TELEGRAM_STARS,
        event=PaymentEvent.PAID,
        charge_id="tg_charge_1",
        amount=250,
        currency="XTR",
        reference="pay_42",
    )


def test_a_telegram_refunded_payment_is_read_as_a_refund_of_the_same_charge(
    telegram: TelegramStarsVerifier,
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    notice = telegram.verify(headers, _update("refunded_payment"))
    assert (notice.event, notice.charge_id) == (PaymentEvent.REFUNDED, "tg_charge_1")


@pytest.mark.parametrize("given", [None, "", "wrong", TG_SECRET + "x", "é"])
def test_a_telegram_update_without_the_right_secret_is_refused(
    telegram: TelegramStarsVerifier, given: str | None
) -> None:
    headers = {} if given is None else {"X-Telegram-Bot-Api-Secret-Token": given}
    with pytest.raises(InvalidSignature):
        telegram.verify(headers, _update())


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        _update(total_amount="250"),
        _update(telegram_payment_charge_id=""),
    ],
)
def test_a_telegram_update_that_is_not_a_payment_is_refused_as_invalid(
    telegram: TelegramStarsVerifier, body: bytes
) -> None:
    with pytest.raises(InvalidValue):
        telegram.verify({"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}, body)


def test_an_authentic_telegram_update_without_a_payment_is_ignored(
    telegram: TelegramStarsVerifier,
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    assert telegram.verify(headers, json.dumps({"message": {"text": "hi"}}).encode()) is None


def test_a_signed_webhook_is_read(webhook: SignedWebhookVerifier) -> None:
    body = _webhook_body()
    headers = {"X-Genmedia-Signature": sign(WH_SECRET, body, NOW)}
    assert webhook.verify(headers, body) == PaymentNotification(
        provider=PaymentProvider.WEBHOOK,
        event=PaymentEvent.PAID,
        charge_id="wh_1",
        amount=999,
        currency="USD",
        payment_id=42,
    )


def test_a_refund_webhook_is_read_as_a_refund(webhook: SignedWebhookVerifier) -> None:
    body = _webhook_body("payment.refunded")
    notice = webhook.verify({"x-genmedia-signature": sign(WH_SECRET, body, NOW)}, body)
    assert notice.event is PaymentEvent.REFUNDED


def test_one_good_signature_among_several_is_enough(webhook: SignedWebhookVerifier) -> None:
    body = _webhook_body()
    good = sign(WH_SECRET, body, NOW).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},{good}"
    assert webhook.verify({"X-Genmedia-Signature": header}, body).charge_id == "wh_1"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"t={NOW}",
        f"v1={'a' * 64}",
        f"t=abc,v1={'a' * 64}",
        f"t={NOW},v1={'a' * 64}",
        f"t={NOW},v1=é",
        f"t={'9' * 5000},v1=aa",
        f"t={'9' * 12},v1={'a' * 64}",
    ],
)
def test_a_webhook_with_a_missing_malformed_or_wrong_signature_is_refused(
    webhook: SignedWebhookVerifier, header: str | None
) -> None:
    headers = {} if header is None else {"X-Genmedia-Signature": header}
    with pytest.raises(InvalidSignature):
        webhook.verify(headers, _webhook_body())


def test_a_webhook_signed_with_another_secret_or_over_another_body_is_refused(
    webhook: SignedWebhookVerifier,
) -> None:
    body = _webhook_body()
    for header in (sign("other", body, NOW), sign(WH_SECRET, body + b" ", NOW)):
        with pytest.raises(InvalidSignature):
            webhook.verify({"X-Genmedia-Signature": header}, body)


@pytest.mark.parametrize(("offset", "ok"), [(-301, False), (-300, True), (300, True), (301, False)])
def test_a_webhook_signed_outside_the_tolerance_is_refused_as_stale(
    webhook: SignedWebhookVerifier, offset: int, ok: bool
) -> None:
    body = _webhook_body()
    headers = {"X-Genmedia-Signature": sign(WH_SECRET, body, NOW + offset)}
    if ok:
        webhook.verify(headers, body)
    else:
        with pytest.raises(InvalidSignature, match="too old"):
            webhook.verify(headers, body)


@pytest.mark.parametrize(
    "body",
    [
        _webhook_body("payment.disputed"),
        _webhook_body(event=["payment.succeeded"]),
        _webhook_body(amount=-1),
        _webhook_body(amount=True),
        _webhook_body(charge_id=None),
        b"{",
    ],
)
def test_a_signed_webhook_with_a_bad_body_is_refused_as_invalid(
    webhook: SignedWebhookVerifier, body: bytes
) -> None:
    with pytest.raises(InvalidValue):
        webhook.verify({"X-Genmedia-Signature": sign(WH_SECRET, body, NOW)}, body)


def test_secrets_appear_in_no_repr_and_no_error(
    telegram: TelegramStarsVerifier, webhook: SignedWebhookVerifier
) -> None:
    errors: list[InvalidSignature] = []
    for verifier, headers in (
        (telegram, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}),
        (webhook, {"X-Genmedia-Signature": f"t={NOW},v1={'a' * 64}"}),
        (webhook, {"X-Genmedia-Signature": sign(WH_SECRET, b"{}", NOW - 3600)}),
    ):
        with pytest.raises(InvalidSignature) as raised:
            verifier.verify(headers, b"{}")
        errors.append(raised.value)
    shown = " ".join([repr(telegram), str(telegram), repr(webhook), str(webhook)])
    shown += " ".join(f"{e!r} {e!s} {e.args}" for e in errors)
    assert TG_SECRET not in shown
    assert WH_SECRET not in shown
    assert all(e.code == "unauthorized" for e in errors)


def test_a_verifier_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        TelegramStarsVerifier("")
    with pytest.raises(ValueError, match="secret"):
        SignedWebhookVerifier("", clock=FakeClock())
