"""channels

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 16:30:45.772399
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("verify_token_hash", sa.String(length=64), nullable=True),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("secrets_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "provider IN ('sms_gateway', 'twilio', 'whatsapp', 'meta', 'x')",
            name=op.f("ck_channel_accounts_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_channel_accounts_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_accounts")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_channel_accounts_secret_hash")),
    )
    op.create_index(
        op.f("ix_channel_accounts_jurisdiction_id"),
        "channel_accounts",
        ["jurisdiction_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_channel_accounts_provider"), "channel_accounts", ["provider"], unique=False
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_attachments_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_attachments_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(
        op.f("ix_attachments_complaint_id"), "attachments", ["complaint_id"], unique=False
    )
    op.create_index(
        op.f("ix_attachments_uploaded_by"), "attachments", ["uploaded_by"], unique=False
    )
    op.create_table(
        "sms_parts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("part_no", sa.Integer(), nullable=False),
        sa.Column("part_count", sa.Integer(), nullable=True),
        sa.Column("message_ref", sa.String(length=200), nullable=True),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("sender_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assembled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_sms_parts_complaint_id_complaints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_sms_parts_jurisdiction_id_jurisdictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_parts")),
    )
    op.create_index(
        "ix_sms_parts_open",
        "sms_parts",
        ["jurisdiction_id", "sender_hash", "received_at"],
        unique=False,
        postgresql_where=sa.text("assembled_at IS NULL"),
    )
    op.create_index(
        "uq_sms_parts_group_part",
        "sms_parts",
        ["jurisdiction_id", "group_key", "part_no"],
        unique=True,
    )
    op.create_index(
        "uq_sms_parts_message_ref",
        "sms_parts",
        ["jurisdiction_id", "account_id", "message_ref"],
        unique=True,
        postgresql_where=sa.text("message_ref IS NOT NULL"),
    )
    op.add_column("reporters", sa.Column("social_hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_reporters_social_hash"), "reporters", ["social_hash"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reporters_social_hash"), table_name="reporters")
    op.drop_column("reporters", "social_hash")
    op.drop_index(
        "uq_sms_parts_message_ref",
        table_name="sms_parts",
        postgresql_where=sa.text("message_ref IS NOT NULL"),
    )
    op.drop_index("uq_sms_parts_group_part", table_name="sms_parts")
    op.drop_index(
        "ix_sms_parts_open",
        table_name="sms_parts",
        postgresql_where=sa.text("assembled_at IS NULL"),
    )
    op.drop_table("sms_parts")
    op.drop_index(op.f("ix_attachments_uploaded_by"), table_name="attachments")
    op.drop_index(op.f("ix_attachments_complaint_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_channel_accounts_provider"), table_name="channel_accounts")
    op.drop_index(op.f("ix_channel_accounts_jurisdiction_id"), table_name="channel_accounts")
    op.drop_table("channel_accounts")
