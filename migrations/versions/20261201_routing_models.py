"""routing_models: learned routing versions, the triage threshold, each complaint's decision

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("arrays", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_routing_models_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_models")),
        sa.UniqueConstraint(
            "jurisdiction_id", "version", name=op.f("uq_routing_models_jurisdiction_id_version")
        ),
    )
    # The naive Bayes it replaces is retrained from history, not converted.
    op.drop_table("classifier_models")
    op.add_column(
        "routing_settings", sa.Column("auto_dispatch_threshold", sa.Float(), nullable=True)
    )
    op.add_column(
        "complaints",
        sa.Column("routing", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("complaints", "routing")
    op.drop_column("routing_settings", "auto_dispatch_threshold")
    op.create_table(
        "classifier_models",
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("model_accuracy", sa.Float(), nullable=False),
        sa.Column("rules_accuracy", sa.Float(), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_classifier_models_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", name=op.f("pk_classifier_models")),
    )
    op.drop_table("routing_models")
