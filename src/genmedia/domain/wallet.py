"""The wallet and its append-only ledger (SPEC WAL-1, WAL-3, WAL-7)."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

import attrs

from genmedia.domain.errors import (
    DomainError,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidValue,
)


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
        fields = [self.type.value, self.kind.value, self.amount, self.reason, self.source]
        body = [*fields, attrs.astuple(self.links)]
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
    replayed: bool = attrs.field(default=False, eq=False)

    @property
    def delta(self) -> int:
        """The signed change this entry made."""
        return self.balance_after - self.balance_before

    def replayed_by(self, user_id: int, posting: Posting) -> LedgerEntry:
        """This entry, as what posting its reference again returns (marked `replayed`: nothing
        was applied that time); IdempotencyConflict if the posting is not the one it applied."""
        if self.fingerprint != posting.fingerprint() or self.user_id != user_id:
            raise IdempotencyConflict(posting.reference_id)
        return attrs.evolve(self, replayed=True)


SPENDING = frozenset({EntryKind.GENERATION, EntryKind.EDIT, EntryKind.TRAINING})
"""The kinds of debit that count towards a wallet's total spent."""


@attrs.frozen(kw_only=True)
class Movement:
    """What one write does to a wallet, decided here and bound as is by every store: the
    balance moves by `delta`, `reserved` credits are held and `freed` ones let go, the totals
    grow by `spent` and `bought`, and each posting appends a ledger entry. The SQL store
    makes it behind the guard 0 ≤ held ≤ balance."""

    delta: int = 0
    reserved: int = 0
    freed: int = 0
    spent: int = 0
    bought: int = 0
    postings: tuple[Posting, ...] = ()

    @classmethod
    def reserve(cls, amount: int) -> Movement:
        """Hold `amount` for work about to run."""
        _positive(cls, attrs.fields(Posting).amount, amount)
        return cls(reserved=amount)

    @classmethod
    def release(cls, amount: int) -> Movement:
        """Return `amount` held credits to the available balance."""
        _positive(cls, attrs.fields(Posting).amount, amount)
        return cls(freed=amount)

    @classmethod
    def post(cls, postings: Sequence[Posting], *, release: int = 0) -> Movement:
        """Apply postings in order, first freeing `release` held credits (a capture's hold)."""
        if release < 0:
            raise InvalidValue("release", "must not be negative")
        return cls(
            delta=sum(posting.delta for posting in postings),
            freed=release,
            spent=sum(
                p.amount for p in postings if p.type is EntryType.DEBIT and p.kind in SPENDING
            ),
            bought=sum(p.amount for p in postings if p.kind is EntryKind.PURCHASE),
            postings=tuple(postings),
        )

    @property
    def needed(self) -> int:
        """The credits the movement takes from what is available once `freed` is let go."""
        return self.reserved - self.delta

    def entries(self, user_id: int, balance: int) -> list[LedgerEntry]:
        """The postings' entries, each with its balance before and after, from `balance` on."""
        entries = []
        for posting in self.postings:
            before, balance = balance, balance + posting.delta
            entries.append(
                LedgerEntry(
                    user_id=user_id,
                    type=posting.type,
                    kind=posting.kind,
                    amount=posting.amount,
                    balance_before=before,
                    balance_after=balance,
                    reason=posting.reason,
                    source=posting.source,
                    reference_id=posting.reference_id,
                    fingerprint=posting.fingerprint(),
                    links=posting.links,
                )
            )
        return entries


@attrs.define(slots=False, eq=False, kw_only=True)
class Wallet:
    """A user's credits: the balance, the part held for running work, and lifetime totals.

    Invariants: balance ≥ 0 and 0 ≤ held ≤ balance, which the database guards too; `refusal`
    says why a movement breaks them."""

    user_id: int
    balance: int = 0
    held: int = 0
    total_spent: int = 0
    total_bought: int = 0

    @property
    def available(self) -> int:
        """Credits that can still be reserved or spent."""
        return self.balance - self.held

    def refusal(self, movement: Movement) -> DomainError | None:
        """Why this wallet cannot make the movement, or None if it can."""
        held = self.held + movement.reserved - movement.freed
        if held < 0:
            return InvalidValue("amount", f"cannot release {movement.freed} of {self.held} held")
        if self.balance + movement.delta < held:
            return InsufficientCredits(movement.needed, self.available + movement.freed)
        return None

    def apply(self, movement: Movement) -> list[LedgerEntry]:
        """Make the movement, or raise why it cannot be made; the entries it appends."""
        refusal = self.refusal(movement)
        if refusal is not None:
            raise refusal
        entries = movement.entries(self.user_id, self.balance)
        self.balance += movement.delta
        self.held += movement.reserved - movement.freed
        self.total_spent += movement.spent
        self.total_bought += movement.bought
        return entries
