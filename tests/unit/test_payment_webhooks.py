"""Receiving a payment webhook on fakes: the provider's verifier first, then the payment
applied once; refusals change nothing and are logged without secrets."""

from __future__ import annotations

import logging

import attrs
import pytest

from genmedia.application.commerce.payment_webhooks import receive_payment
from genmedia.application.commerce.purchases import start_purchase
from genmedia.domain.errors import InvalidSignature, InvalidValue, NotFound
from genmedia.domain.purchases import Payment, PaymentNotification, PaymentStatus
from tests.commerce import add_buyer, add_pack, balance, paid
from tests.fakes import FakeClock, FakePaymentVerifier, FakeUnitOfWork


def _notice(uow: FakeUnitOfWork, clock: FakeClock) -> tuple[int, PaymentNotification]:
    buyer = add_buyer(uow)
    payment = start_purchase(buyer, add_pack(uow).id or 0, uow=uow, clock=clock)
    return buyer, paid(payment, "tg_1")


def _receive(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    notice: PaymentNotification | None,
    body: bytes = b"ok",
    provider: str = "telegram",
) -> Payment | None:
    verifiers = {"telegram": FakePaymentVerifier(notice)}
    return receive_payment(provider, {}, body, verifiers=verifiers, uow=uow, clock=clock)


def test_a_verified_delivery_pays_once_however_often_it_comes(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    buyer, notice = _notice(uow, clock)
    for _ in range(3):
        assert _receive(uow, clock, notice).status is PaymentStatus.PAID
    assert balance(uow, buyer) == 100


def test_a_provider_that_is_not_enabled_is_not_found(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _, notice = _notice(uow, clock)
    with pytest.raises(NotFound):
        _receive(uow, clock, notice, provider="stripe")


def test_a_forged_delivery_changes_nothing(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    buyer, notice = _notice(uow, clock)
    with pytest.raises(InvalidSignature):
        _receive(uow, clock, notice, body=b"forged")
    assert balance(uow, buyer) == 0


def test_an_authentic_delivery_about_nothing_is_ignored(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    assert _receive(uow, clock, None) is None


def test_a_wrong_amount_is_refused_and_logged_at_warning(
    uow: FakeUnitOfWork, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    buyer, notice = _notice(uow, clock)
    with caplog.at_level(logging.WARNING), pytest.raises(InvalidValue, match="amount"):
        _receive(uow, clock, attrs.evolve(notice, amount=1))
    assert balance(uow, buyer) == 0
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "tg_1" in caplog.records[0].getMessage()
