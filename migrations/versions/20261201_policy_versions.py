"""policy_versions: one SLA version per start date, jurisdiction events, metric snapshots

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:44:03.250444
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_snapshots",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_metric_snapshots")),
    )
    op.create_table(
        "jurisdiction_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_jurisdiction_events_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction_events")),
    )
    op.create_index(
        "ix_jurisdiction_events_recent",
        "jurisdiction_events",
        ["jurisdiction_id", "occurred_at"],
        unique=False,
    )
    op.create_unique_constraint(
        op.f("uq_sla_policies_jurisdiction_id_effective_from"),
        "sla_policies",
        ["jurisdiction_id", "effective_from"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_sla_policies_jurisdiction_id_effective_from"), "sla_policies", type_="unique"
    )
    op.drop_index("ix_jurisdiction_events_recent", table_name="jurisdiction_events")
    op.drop_table("jurisdiction_events")
    op.drop_table("metric_snapshots")
