"""routing: liaisons, regions, routing rules and settings, classifier models, suggestions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 16:46:44.349227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=13), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index(op.f("ix_regions_parent_code"), "regions", ["parent_code"], unique=False)
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
    op.create_table(
        "routing_settings",
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("liaison_direct_transfer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "extra", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_routing_settings_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jurisdiction_id", name=op.f("pk_routing_settings")),
    )
    op.create_table(
        "liaisons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("decree_number", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("role IN ('primary', 'deputy')", name=op.f("ck_liaisons_role")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_liaisons_valid_range")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_liaisons_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_liaisons_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaisons")),
    )
    op.create_index(op.f("ix_liaisons_agency_id"), "liaisons", ["agency_id"], unique=False)
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("region_prefix", sa.String(length=13), nullable=True),
        sa.Column("keywords", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_routing_rules_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_routing_rules_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_routing_rules_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_index(
        "ix_routing_rules_order", "routing_rules", ["jurisdiction_id", "position"], unique=False
    )
    op.add_column("agencies", sa.Column("head_email", sa.String(length=320), nullable=True))
    op.create_check_constraint(
        op.f("ck_agencies_kind"),
        "agencies",
        "kind IN ('dinas', 'badan', 'bagian', 'kecamatan', 'kelurahan_desa', 'bumd', 'vertical')",
    )
    op.add_column("complaints", sa.Column("suggested_category_id", sa.Uuid(), nullable=True))
    op.add_column(
        "complaints",
        sa.Column("suggestion", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.create_foreign_key(
        op.f("fk_complaints_suggested_category_id_categories"),
        "complaints",
        "categories",
        ["suggested_category_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_complaints_suggested_category_id_categories"), "complaints", type_="foreignkey"
    )
    op.drop_column("complaints", "suggestion")
    op.drop_column("complaints", "suggested_category_id")
    op.drop_constraint(op.f("ck_agencies_kind"), "agencies", type_="check")
    op.drop_column("agencies", "head_email")
    op.drop_index("ix_routing_rules_order", table_name="routing_rules")
    op.drop_table("routing_rules")
    op.drop_index(op.f("ix_liaisons_agency_id"), table_name="liaisons")
    op.drop_table("liaisons")
    op.drop_table("routing_settings")
    op.drop_table("classifier_models")
    op.drop_index(op.f("ix_regions_parent_code"), table_name="regions")
    op.drop_table("regions")
