"""The container binds every use case a library user needs; each binding is called once on
SQLite through a container built from settings, and its effect is checked."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dependency_injector import providers

from genmedia import CreateUser, NotFound, Settings, build_container
from genmedia.application import commerce
from genmedia.application.media import library, uploads
from genmedia.application.media.library import ListMedia
from genmedia.application.media.uploads import UploadMedia
from genmedia.application.operations import retention
from genmedia.domain.coupons import Coupon, DiscountType
from genmedia.domain.gift_cards import GiftCardStatus
from genmedia.domain.media import ImageInfo, Media, MediaKind
from genmedia.domain.purchases import (
    CreditPack,
    Payment,
    PaymentEvent,
    PaymentNotification,
    PaymentStatus,
)
from genmedia.entrypoints.container import Container
from tests.images import encode, picture

pytestmark = pytest.mark.integration

WELCOME = 100


@pytest.fixture
def container(sqlite_url: str, tmp_path: Path) -> Iterator[Container]:
    container = build_container(
        Settings(home=tmp_path, database_url=sqlite_url, welcome_credits=WELCOME)
    )
    yield container
    container.shutdown_resources()


def _use_cases(*modules: ModuleType) -> set[Callable[..., Any]]:
    """The use cases defined in these modules: public functions taking `uow` by keyword."""

    def takes_uow_by_keyword(function: Callable[..., Any]) -> bool:
        uow = inspect.signature(function).parameters.get("uow")
        return uow is not None and uow.kind is inspect.Parameter.KEYWORD_ONLY

    return {
        function
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
        if takes_uow_by_keyword(function)
    }


def test_every_commerce_and_retention_use_case_has_a_binding() -> None:
    names = [info.name for info in pkgutil.iter_modules(commerce.__path__)]
    modules = [importlib.import_module(f"{commerce.__name__}.{name}") for name in names]
    bound = {
        provider.provides
        for provider in Container.providers.values()
        if isinstance(provider, providers.Callable)
    }
    use_cases = _use_cases(*modules, retention, uploads, library)
    assert {"start_purchase", "redeem_code", "delete_media", "upload_media", "media_content"} <= {
        f.__name__ for f in use_cases
    }
    assert use_cases - bound == set()


def _paid(payment: Payment, charge_id: str) -> PaymentNotification:
    return PaymentNotification(
        provider=payment.provider, event=PaymentEvent.PAID, charge_id=charge_id,
        amount=payment.amount, currency=payment.currency, payment_id=payment.id,
    )  # fmt: skip


def _balance(container: Container, user_id: int) -> int:
    return int(container.wallet_of(user_id).balance)


def test_credit_packs_are_put_on_sale_bought_confirmed_and_refunded(container: Container) -> None:
    pack = container.create_credit_pack(
        CreditPack(name="Bindings", credits=300, price=900, currency="XTR")
    )
    assert pack.id is not None
    assert [p.name for p in container.list_credit_packs().items] == ["Bindings"]
    user = container.ensure_user(CreateUser(email="buyer@example.com")).id
    payment = container.start_purchase(user, pack.id, "telegram_stars")
    assert payment.status is PaymentStatus.PENDING
    paid = container.confirm_payment(_paid(payment, "tg_1"))
    assert (paid.status, _balance(container, user)) == (PaymentStatus.PAID, WELCOME + 300)
    refunded = container.refund_purchase("telegram_stars", "tg_1")
    assert refunded.metadata["refund"] == {"clawed_back": 300, "unrecoverable": 0}
    assert _balance(container, user) == WELCOME


def test_gift_cards_and_coupons_are_bought_paid_and_redeemed(container: Container) -> None:
    now = container.clock().now()
    pack = container.create_credit_pack(
        CreditPack(name="Gift", credits=300, price=900, currency="XTR")
    )
    giver = container.ensure_user(CreateUser(email="giver@example.com")).id
    friend = container.ensure_user(CreateUser(email="friend@example.com")).id
    issued = container.buy_gift_card(pack.id, "webhook", purchaser_user_id=giver)
    assert issued.card.status is GiftCardStatus.PENDING
    paid = container.apply_payment_notification(_paid(issued.payment, "wh_1"))
    assert paid.status is PaymentStatus.PAID
    assert container.redeem_code(friend, issued.code).balance == WELCOME + 300
    container.create_coupon(
        Coupon(code="BINDINGS", discount_type=DiscountType.CREDITS, discount_value=25,
               valid_from=now - timedelta(days=1))
    )  # fmt: skip
    assert container.redeem_code(friend, "bindings").credits_awarded == 25
    assert _balance(container, friend) == WELCOME + 325
    assert container.expire_gift_cards(now + timedelta(days=400)) == 0


def test_a_user_deletes_their_media(container: Container) -> None:
    user = container.ensure_user(CreateUser(email="owner@example.com")).id
    with container.uow() as uow:
        media = uow.media.add(
            Media(
                user_id=user, kind=MediaKind.UPLOADED, storage_path="uploads/a.png",
                info=ImageInfo(file_format="png", width=8, height=8, file_size=10, blurhash="L0"),
            )
        )  # fmt: skip
        uow.commit()
    container.delete_media(media.id, user)
    with container.uow() as uow:
        assert uow.media.get(media.id or 0).deleted_at is not None
    with pytest.raises(NotFound):
        container.delete_media(media.id, user)


def test_a_user_uploads_lists_favorites_and_downloads_media(container: Container) -> None:
    user = container.ensure_user(CreateUser(email="uploader@example.com")).id
    data = encode(picture((90, 60)), "WEBP")
    media = container.upload_media(UploadMedia(user_id=user, filename="me.webp", content=[data]))
    assert (media.kind, media.info.width, media.original_filename) == (
        MediaKind.UPLOADED, 90, "me.webp",
    )  # fmt: skip
    container.set_favorite(media.id, user, True)
    page = container.list_media(ListMedia(user_id=user, favorite=True))
    assert [item.media.id for item in page.items] == [media.id]
    url = container.media_content(media.id, user)
    assert url.startswith(f"/v1/files/{media.storage_path}?expires=")
    assert container.get_media(media.id, user).media.download_count == 1
    assert container.storage().get(media.storage_path) == data
