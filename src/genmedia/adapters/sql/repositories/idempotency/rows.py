"""Rows of idempotency keys: `key_row` to write, `key_from_row` to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from genmedia.domain.idempotency import IdempotencyKey, StoredAnswer


def key_row(key: IdempotencyKey) -> dict[str, Any]:
    """The column values of a newly claimed key."""
    return {
        "scope": key.scope,
        "key": key.key,
        "fingerprint": key.fingerprint,
        "expires_at": key.expires_at,
    }


def answer_values(answer: StoredAnswer) -> dict[str, Any]:
    """The column values of an answer."""
    return {
        "status_code": answer.status,
        "headers": [list(pair) for pair in answer.headers],
        "body": answer.body,
    }


def key_from_row(row: sa.Row[Any]) -> IdempotencyKey:
    """The key a row holds, with its answer once it has one."""
    answer = None
    if row.status_code is not None:
        answer = StoredAnswer(
            status=row.status_code,
            headers=[(name, value) for name, value in row.headers or []],
            body=bytes(row.body or b""),
        )
    return IdempotencyKey(
        scope=row.scope,
        key=row.key,
        fingerprint=row.fingerprint,
        expires_at=row.expires_at,
        answer=answer,
    )
