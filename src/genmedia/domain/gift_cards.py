"""Gift cards: credits bought for someone, redeemed once with an unguessable code (SPEC WAL-6).

Only a SHA-256 hash of the code and its last four characters are stored; the code itself is
shown once, to the buyer. A code is 20 characters from a 31-symbol alphabet without the
look-alikes 0, O, 1, I and L (about 99 bits from `secrets`), grouped XXXX-XXXX-XXXX-XXXX-XXXX.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from genmedia.domain.errors import AlreadyUsed, Expired, IllegalTransition, InvalidValue
from genmedia.domain.money import normalise_currency, whole
from genmedia.domain.stored import Stored
from genmedia.domain.user import normalise_email

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 20
GROUP = 4
EDITABLE = frozenset({"recipient_email", "expires_at"})
_IGNORED = str.maketrans("", "", "- \t\r\n")


def new_code() -> str:
    """A fresh random code, grouped for reading aloud."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise_code(code: str) -> str:
    """The code as typed, without case, dashes or spaces."""
    return str(code).upper().translate(_IGNORED)


def hash_code(code: str) -> str:
    """The SHA-256 hex digest of the normalised code: what the database stores and looks up."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def code_hint(code: str) -> str:
    """The last four characters of the code, to tell cards apart without revealing them."""
    return normalise_code(code)[-GROUP:]


class GiftCardStatus(enum.StrEnum):
    """pending until paid, then active until redeemed or expired."""

    PENDING = "pending"
    ACTIVE = "active"
    REDEEMED = "redeemed"
    EXPIRED = "expired"


@attrs.define(slots=False, eq=False, kw_only=True)
class GiftCard(Stored):
    """Credits of a credit pack, bought by a user or an e-mail, for a recipient."""

    id: int | None = None
    code_hash: str
    code_hint: str
    purchaser_user_id: int | None = None
    purchaser_email: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalise_email)
    )
    recipient_email: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalise_email)
    )
    credit_pack_id: int | None = None
    credits: int = attrs.field(validator=whole("credits", 1))
    price: int = attrs.field(validator=whole("price"))
    currency: str = attrs.field(converter=normalise_currency)
    status: GiftCardStatus = GiftCardStatus.PENDING
    redeemed_by: int | None = None
    redeemed_at: datetime | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.purchaser_user_id is None and self.purchaser_email is None:
            raise InvalidValue("purchaser_email", "a gift card needs a purchaser: a user or e-mail")

    @classmethod
    def issue(cls, code: str, **fields: Any) -> GiftCard:
        """A pending card for `code`, keeping only its hash and hint."""
        return cls(code_hash=hash_code(code), code_hint=code_hint(code), **fields)

    def is_expired(self, now: datetime) -> bool:
        """Whether the card's validity has run out."""
        return self.expires_at is not None and now >= self.expires_at

    def _move(self, target: GiftCardStatus, *allowed: GiftCardStatus) -> None:
        if self.status not in allowed:
            raise IllegalTransition("gift card", self.status.value, target.value)
        self.status = target

    def activate(self) -> None:
        """The card was paid for: it can now be redeemed."""
        self._move(GiftCardStatus.ACTIVE, GiftCardStatus.PENDING)

    def redeem(self, user_id: int, now: datetime) -> None:
        """Give the card's credits to `user_id`, once."""
        if self.status is GiftCardStatus.REDEEMED:
            raise already_redeemed(self)
        if self.status is GiftCardStatus.EXPIRED or self.is_expired(now):
            raise Expired(f"gift card …{self.code_hint} has expired")
        self._move(GiftCardStatus.REDEEMED, GiftCardStatus.ACTIVE)
        self.redeemed_by = user_id
        self.redeemed_at = now

    def expire(self, now: datetime) -> None:
        """Retire an active card whose validity has run out."""
        if not self.is_expired(now):
            raise InvalidValue("expires_at", "the gift card has not expired yet")
        self._move(GiftCardStatus.EXPIRED, GiftCardStatus.ACTIVE)

    def revised(self, changes: Mapping[str, Any]) -> GiftCard:
        """The card with its recipient or expiry changed, while it is pending or active."""
        for name in changes:
            if name not in EDITABLE:
                raise InvalidValue(name, "cannot be changed")
        if self.status not in (GiftCardStatus.PENDING, GiftCardStatus.ACTIVE):
            raise IllegalTransition("gift card", self.status.value, "changed")
        return attrs.evolve(self, **changes)

    def withdraw(self) -> bool:
        """Take the card out of use (an admin's delete): a pending or active card expires;
        False if it had expired already. IllegalTransition for a redeemed card, whose
        credits are spent: it stays as it is, for the ledger that names it."""
        if self.status is GiftCardStatus.REDEEMED:
            raise IllegalTransition("gift card", self.status.value, GiftCardStatus.EXPIRED.value)
        return self.revoke()

    def revoke(self) -> bool:
        """Withdraw the card because its payment was refunded; False if it was already
        redeemed or expired (there is nothing left to withdraw)."""
        if self.status not in (GiftCardStatus.PENDING, GiftCardStatus.ACTIVE):
            return False
        self.status = GiftCardStatus.EXPIRED
        return True


def already_redeemed(card: GiftCard) -> AlreadyUsed:
    """The error for a card that is redeemed already, or that another caller just redeemed."""
    return AlreadyUsed(f"gift card …{card.code_hint} has already been redeemed")
