"""Parameter types shared by the route modules."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_ID = 2**63 - 1

# An object id in a path: a positive integer that fits the database's BIGINT.
Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
