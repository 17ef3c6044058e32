"""The wallet and its append-only ledger (SPEC WAL-1, WAL-3, WAL-7)."""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import datetime

import attrs

from genmedia.domain.errors import InsufficientCredits, InvalidValue

WELCOME_CREDITS = 100


class EntryType(enum.StrEnum):
    """Which way a ledger entry moves credits."""

    CREDIT = "credit"
    DEBIT = "debit"


class EntryKind(enum.StrEnum):
    """Why credits moved."""

    PURCHASE = "purchase"
    GENERATION = "generation"
    EDIT = "edit"
    TRAINING = "training"
    REFUND = "refund"
    ADMIN_ADJUSTMENT = "admin_adjustment"
    BONUS = "bonus"
    COUPON = "coupon"
    GIFT_CARD = "gift_card"
    EXPIRY = "expiry"


class EntryStatus(enum.StrEnum):
    """The state of a ledger entry; a purchase later refunded is marked refunded."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"


@attrs.frozen(kw_only=True)
class Links:
    """What a ledger entry is about."""

    request_id: int | None = None
    job_id: int | None = None
    media_id: int | None = None
    trained_model_id: int | None = None
    coupon_id: int | None = None
    gift_card_id: int | None = None
    payment_id: int | None = None


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValue("amount", "must be a positive whole number of credits")


def _reference(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    namespace, sep, rest = value.partition(":")
    if not sep or not namespace or not rest or len(value) > 200:
        raise InvalidValue(
            "reference_id", "must be namespaced, like 'payment:…' or 'job:12:capture'"
        )


@attrs.frozen(kw_only=True)
class Posting:
    """A request to move credits once, identified by its reference."""

    reference_id: str = attrs.field(validator=_reference)
    type: EntryType
    kind: EntryKind
    amount: int = attrs.field(validator=_positive)
    reason: str = ""
    source: str = "system"
    links: Links = attrs.field(factory=Links)

    @property
    def delta(self) -> int:
        """The signed change to the balance."""
        return self.amount if self.type is EntryType.CREDIT else -self.amount

    def fingerprint(self) -> str:
        """A hash of the content, to tell a replay from a conflicting reuse of the reference."""
        body = [
            self.type.value,
            self.kind.value,
            self.amount,
            self.reason,
            self.source,
            attrs.astuple(self.links),
        ]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """One applied posting, with the balance before and after it."""

    id: int | None = None
    user_id: int
    type: EntryType
    kind: EntryKind
    amount: int
    balance_before: int
    balance_after: int
    reason: str
    source: str
    status: EntryStatus = EntryStatus.COMPLETED
    reference_id: str
    fingerprint: str
    links: Links = attrs.field(factory=Links)
    created_at: datetime | None = None

    @property
    def delta(self) -> int:
        """The signed change this entry made."""
        return self.balance_after - self.balance_before


@attrs.define(slots=False, eq=False, kw_only=True)
class Wallet:
    """A user's credits: the balance, the part held for running work, and lifetime totals.

    Invariants: balance ≥ 0 and 0 ≤ held ≤ balance. The database guards them too; these
    methods say why a movement is refused before anything is written.
    """

    user_id: int
    balance: int = 0
    held: int = 0
    total_spent: int = 0
    total_bought: int = 0

    @property
    def available(self) -> int:
        """Credits that can still be reserved or spent."""
        return self.balance - self.held

    def reserve(self, amount: int) -> None:
        """Hold `amount` for work about to run."""
        _positive(self, attrs.fields(Posting).amount, amount)
        if amount > self.available:
            raise InsufficientCredits(amount, self.available)
        self.held += amount

    def release(self, amount: int) -> None:
        """Return held credits to the available balance."""
        if not 0 < amount <= self.held:
            raise InvalidValue("amount", f"cannot release {amount} of {self.held} held")
        self.held -= amount

    def post(self, posting: Posting, *, release: int = 0) -> LedgerEntry:
        """Apply a posting, first releasing `release` held credits (a capture releases its hold)."""
        if release:
            self.release(release)
        if posting.type is EntryType.DEBIT and posting.amount > self.available:
            self.held += release
            raise InsufficientCredits(posting.amount, self.available)
        before = self.balance
        self.balance += posting.delta
        if posting.kind is EntryKind.PURCHASE:
            self.total_bought += posting.amount
        if posting.type is EntryType.DEBIT and posting.kind in SPENDING:
            self.total_spent += posting.amount
        return LedgerEntry(
            user_id=self.user_id,
            type=posting.type,
            kind=posting.kind,
            amount=posting.amount,
            balance_before=before,
            balance_after=self.balance,
            reason=posting.reason,
            source=posting.source,
            reference_id=posting.reference_id,
            fingerprint=posting.fingerprint(),
            links=posting.links,
        )


SPENDING = frozenset({EntryKind.GENERATION, EntryKind.EDIT, EntryKind.TRAINING})
