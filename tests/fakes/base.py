"""The committed state the fakes share, and the base of every fake repository."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

import attrs

from genmedia.domain.article import Article
from genmedia.domain.audit import AuditEntry
from genmedia.domain.batch import GenerationBatch
from genmedia.domain.catalog import Feature, Tag
from genmedia.domain.coupons import Coupon, CouponRedemption
from genmedia.domain.gift_cards import GiftCard
from genmedia.domain.holds import CreditHold
from genmedia.domain.idempotency import IdempotencyKey
from genmedia.domain.job import COMPLETION_FIELDS
from genmedia.domain.lots import CreditLot
from genmedia.domain.media import Media
from genmedia.domain.provider_model import ProviderModel
from genmedia.domain.purchases import CreditPack, Payment
from genmedia.domain.request import GenerationRequest
from genmedia.domain.settings import Setting
from genmedia.domain.template import Template
from genmedia.domain.tokens import AccessToken
from genmedia.domain.trained_model import TrainedModel
from genmedia.domain.trending import Activity
from genmedia.domain.user import User
from genmedia.domain.wallet import LedgerEntry, Wallet


@attrs.define
class FakeDatabase:
    """The committed state shared by every FakeUnitOfWork made from it."""

    users: dict[int, User] = attrs.Factory(dict)
    tokens: dict[int, AccessToken] = attrs.Factory(dict)
    idempotency: dict[tuple[str, str], IdempotencyKey] = attrs.Factory(dict)
    features: dict[int, Feature] = attrs.Factory(dict)
    tags: dict[int, Tag] = attrs.Factory(dict)
    templates: dict[int, Template] = attrs.Factory(dict)
    models: dict[int, ProviderModel] = attrs.Factory(dict)
    trained_models: dict[int, TrainedModel] = attrs.Factory(dict)
    requests: dict[int, GenerationRequest] = attrs.Factory(dict)
    batches: dict[int, GenerationBatch] = attrs.Factory(dict)
    versions: dict[int, int] = attrs.Factory(dict)
    media: dict[int, Media] = attrs.Factory(dict)
    wallets: dict[int, Wallet] = attrs.Factory(dict)
    entries: list[LedgerEntry] = attrs.Factory(list)
    holds: dict[int, CreditHold] = attrs.Factory(dict)
    lots: dict[int, CreditLot] = attrs.Factory(dict)
    commerce: FakeCommerce = attrs.Factory(lambda: FakeCommerce())
    workers: dict[str, tuple[datetime, bool]] = attrs.Factory(dict)
    activity: dict[tuple[int, datetime], Activity] = attrs.Factory(dict)
    settings: dict[str, Setting] = attrs.Factory(dict)
    audit: list[AuditEntry] = attrs.Factory(list)
    articles: dict[int, Article] = attrs.Factory(dict)
    catalog_writes: list[tuple[str, str, str]] = attrs.Factory(list)
    now: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(1))


@attrs.define
class FakeCommerce:
    """Credit packs, payments, coupons, redemptions and gift cards of a FakeDatabase."""

    packs: dict[int, CreditPack] = attrs.Factory(dict)
    payments: dict[int, Payment] = attrs.Factory(dict)
    coupons: dict[int, Coupon] = attrs.Factory(dict)
    redemptions: list[CouponRedemption] = attrs.Factory(list)
    cards: dict[int, GiftCard] = attrs.Factory(dict)


# The fields `Job.complete` changes (what `save_completed` writes).
OUTCOME = COMPLETION_FIELDS


T = TypeVar("T")


def keyed(
    items: Iterable[T],
    key: Callable[[T], tuple[int, ...]],
    after: tuple[int, ...] | None,
    limit: int | None,
    *,
    descending: bool = False,
) -> list[T]:
    """A keyset page of items, as the SQL stores read it: in key order, after `after`."""
    ordered = sorted(items, key=key, reverse=descending)
    if after is not None:
        ordered = [i for i in ordered if (key(i) < after if descending else key(i) > after)]
    return ordered if limit is None else ordered[:limit]


class Repo:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _new_id(self) -> int:
        return next(self.db.ids)
