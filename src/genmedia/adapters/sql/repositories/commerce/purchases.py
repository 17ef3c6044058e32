"""Credit packs and payments in SQL; a payment changes status only from the one it leaves."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from genmedia.adapters.sql.repositories.base import (
    SqlRepository,
    is_unique_violation,
    unique_or_already_exists,
)
from genmedia.adapters.sql.repositories.commerce.rows import (
    pack_from_row,
    payment_from_row,
    row_of,
)
from genmedia.adapters.sql.repositories.pages import keyset
from genmedia.adapters.sql.tables import credit_packs, payments
from genmedia.application.ports import CreditPackRepository, PaymentRepository
from genmedia.domain.errors import AlreadyUsed, NotFound
from genmedia.domain.purchases import CreditPack, Payment, PaymentProvider, PaymentStatus


class SqlCreditPackRepository(SqlRepository, CreditPackRepository):
    """Credit packs, unique by name."""

    def add(self, pack: CreditPack) -> CreditPack:
        """Insert a pack; AlreadyExists if the name is taken."""
        statement = (
            sa.insert(credit_packs)
            .values(row_of(pack))
            .returning(credit_packs.c.id, credit_packs.c.created_at)
        )
        with unique_or_already_exists(self._connection, "credit pack", pack.name):
            pack_id, created_at = self._connection.execute(statement).one()
            pack.stored_as(pack_id, created_at=created_at)
        return pack

    def get(self, pack_id: int) -> CreditPack:
        """The pack with this id, or NotFound."""
        row = self._one(sa.select(credit_packs).where(credit_packs.c.id == pack_id))
        if row is None:
            raise NotFound("credit pack", pack_id)
        return pack_from_row(row)

    def get_by_name(self, name: str) -> CreditPack | None:
        """The pack with this name, if any."""
        row = self._one(sa.select(credit_packs).where(credit_packs.c.name == name))
        return pack_from_row(row) if row else None

    def list_active(
        self, *, after: tuple[int, ...] | None = None, limit: int | None = None
    ) -> list[CreditPack]:
        """Packs on sale by (credits, id), fewest credits first."""
        query = sa.select(credit_packs).where(credit_packs.c.is_active == sa.true())
        order = ((credit_packs.c.credits, False), (credit_packs.c.id, False))
        return [pack_from_row(r) for r in self._all(keyset(query, order, after, limit))]

    def page(self, after: tuple[int, ...] | None, limit: int) -> list[CreditPack]:
        """Every pack by id descending."""
        query = keyset(sa.select(credit_packs), ((credit_packs.c.id, True),), after, limit)
        return [pack_from_row(row) for row in self._all(query)]

    def save(self, pack: CreditPack) -> None:
        """Write the pack's fields back; AlreadyExists if its new name is taken."""
        values = row_of(pack)
        statement = sa.update(credit_packs).where(credit_packs.c.id == pack.id).values(values)
        with unique_or_already_exists(self._connection, "credit pack", pack.name):
            self._connection.execute(statement)


class SqlPaymentRepository(SqlRepository, PaymentRepository):
    """Payments; each charge id belongs to one payment per provider."""

    def add(self, payment: Payment) -> Payment:
        """Insert a pending payment."""
        statement = (
            sa.insert(payments)
            .values(row_of(payment))
            .returning(payments.c.id, payments.c.created_at)
        )
        payment_id, created_at = self._connection.execute(statement).one()
        payment.stored_as(payment_id, created_at=created_at)
        return payment

    def get(self, payment_id: int) -> Payment:
        """The payment with this id, or NotFound."""
        row = self._one(sa.select(payments).where(payments.c.id == payment_id))
        if row is None:
            raise NotFound("payment", payment_id)
        return payment_from_row(row)

    def get_by_reference(self, reference: str) -> Payment | None:
        """The payment with this reference, if any."""
        row = self._one(sa.select(payments).where(payments.c.reference == reference))
        return payment_from_row(row) if row else None

    def get_by_charge(
        self, provider: PaymentProvider, charge_id: str, *, for_update: bool = False
    ) -> Payment | None:
        """The payment of this provider's charge, if any; locked with `for_update`."""
        query = sa.select(payments).where(
            payments.c.provider == provider.value, payments.c.charge_id == charge_id
        )
        row = self._one(query.with_for_update() if for_update else query)
        return payment_from_row(row) if row else None

    def mark_paid(self, payment: Payment) -> bool:
        """pending → paid with the charge id; the unique (provider, charge_id) guards reuse."""
        statement = (
            sa.update(payments)
            .where(payments.c.id == payment.id, payments.c.status == PaymentStatus.PENDING.value)
            .values(
                status=payment.status.value, charge_id=payment.charge_id, paid_at=payment.paid_at
            )
        )
        try:
            with self._connection.begin_nested():
                return self._connection.execute(statement).rowcount == 1
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            raise AlreadyUsed(f"charge {payment.charge_id} already paid another payment") from error

    def mark_refunded(self, payment: Payment) -> bool:
        """paid → refunded, writing the refund's metadata."""
        statement = (
            sa.update(payments)
            .where(payments.c.id == payment.id, payments.c.status == PaymentStatus.PAID.value)
            .values(
                status=payment.status.value,
                refunded_at=payment.refunded_at,
                metadata=payment.metadata,
            )
        )
        return self._connection.execute(statement).rowcount == 1

    def refunded(self, payment_ids: Collection[int]) -> set[int]:
        """Those of these payments that are refunded."""
        if not payment_ids:
            return set()
        query = sa.select(payments.c.id).where(
            payments.c.id.in_(sorted(payment_ids)),
            payments.c.status == PaymentStatus.REFUNDED.value,
        )
        return set(self._connection.execute(query).scalars())
