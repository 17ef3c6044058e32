"""Fixtures of the SQL repository tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.sql.helpers import _owner


@pytest.fixture
def owner(engine: sa.Engine) -> tuple[int, int]:
    """A committed user and feature: (user_id, feature_id)."""
    return _owner(engine)
