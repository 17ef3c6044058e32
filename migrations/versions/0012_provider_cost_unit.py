"""The unit of each job's provider cost, beside its amount.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00

Self-contained: it does not import genmedia. Runs on PostgreSQL and SQLite.

Each provider names its cost in its own unit (BFL credits, fal billable units, Replicate
predict seconds, OpenRouter US dollars); the amount alone does not say which. Before this
revision `provider_cost` was in US dollars: BFL's credits were converted at $0.01 each,
fal's billable units and Replicate's predict time were kept only in the job's provider
metadata. Existing jobs get their cost in the provider's own unit: BFL's dollars back into
credits, fal's and Replicate's signals from the metadata, any other cost in US dollars.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The provider metadata's cost signal of the providers that kept it only there.
_SIGNALS = {
    "fal": ("billable_units", "fal_billable_units"),
    "replicate": ("predict_time", "replicate_predict_seconds"),
}


def upgrade() -> None:
    """Add the column and give each kept cost its unit."""
    with op.batch_alter_table("generation_jobs") as batch:
        batch.add_column(sa.Column("provider_cost_unit", sa.String(32)))
    op.execute(
        "UPDATE generation_jobs SET provider_cost = ROUND(provider_cost * 100.0, 4),"
        " provider_cost_unit = 'bfl_credits' WHERE provider = 'bfl' AND provider_cost IS NOT NULL"
    )
    op.execute(
        "UPDATE generation_jobs SET provider_cost_unit = 'usd'"
        " WHERE provider_cost IS NOT NULL AND provider_cost_unit IS NULL"
    )
    for provider, (name, unit) in _SIGNALS.items():
        signal = _metadata_number(name)
        op.execute(
            f"UPDATE generation_jobs SET provider_cost = {signal}, provider_cost_unit = '{unit}'"
            f" WHERE provider = '{provider}' AND provider_cost IS NULL AND {signal} IS NOT NULL"
        )


def downgrade() -> None:
    """Put the costs back in US dollars where they were, and drop the column."""
    op.execute(
        "UPDATE generation_jobs SET provider_cost = ROUND(provider_cost / 100.0, 6)"
        " WHERE provider_cost_unit = 'bfl_credits'"
    )
    op.execute(
        "UPDATE generation_jobs SET provider_cost = NULL"
        " WHERE provider_cost_unit IN ('fal_billable_units', 'replicate_predict_seconds')"
    )
    with op.batch_alter_table("generation_jobs") as batch:
        batch.drop_column("provider_cost_unit")


def _metadata_number(name: str) -> str:
    """The SQL of a number in the job's provider metadata (NULL where it is not one)."""
    if op.get_bind().dialect.name == "postgresql":
        field = f"output_metadata -> 'provider_metadata' -> '{name}'"
        return f"(CASE WHEN jsonb_typeof({field}) = 'number' THEN ({field})::numeric END)"
    path = f"'$.provider_metadata.{name}'"
    return (
        f"(CASE WHEN json_type(output_metadata, {path}) IN ('integer', 'real')"
        f" THEN json_extract(output_metadata, {path}) END)"
    )
