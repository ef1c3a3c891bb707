import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by, tenant_foreign_key

PROVIDERS = ("sms_gateway", "twilio", "whatsapp", "meta", "x")


class ChannelAccount(Base):
    """A provider account of one jurisdiction: how its unsigned-by-us webhooks are recognised.

    A provider cannot send our API key, so its request is matched to an account by what only
    that account's secret can produce (a signature, or a per-gateway secret), never by the body.
    Shared secrets we only compare are kept as SHA-256; secrets we must use (HMAC keys, access
    tokens) are sealed (app/privacy/crypto.py, kind channel_account), bound to the account id.
    """

    __tablename__ = "channel_accounts"
    __table_args__ = (CheckConstraint(f"provider IN {PROVIDERS}", name="provider"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    verify_token_hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32))
    secrets_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SmsPart(Base):
    """One received SMS part, kept until its message is complete or its window closes."""

    __tablename__ = "sms_parts"
    __table_args__ = (
        Index("uq_sms_parts_group_part", "jurisdiction_id", "group_key", "part_no", unique=True),
        Index(
            "uq_sms_parts_message_ref",
            "jurisdiction_id",
            "account_id",
            "message_ref",
            unique=True,
            postgresql_where=text("message_ref IS NOT NULL"),
        ),
        Index(
            "ix_sms_parts_open",
            "jurisdiction_id",
            "sender_hash",
            "received_at",
            postgresql_where=text("assembled_at IS NULL"),
        ),
        # The complaint going leaves the part, unlinked: only complaint_id is set NULL.
        tenant_foreign_key("complaint_id", "complaints", ondelete="SET NULL (complaint_id)"),
    )
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    # Who delivered it (an API client or a channel account): the complaint is submitted by them.
    account_id: Mapped[uuid.UUID] = mapped_column()
    account_name: Mapped[str] = mapped_column(String(200))
    group_key: Mapped[str] = mapped_column(String(200))
    part_no: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int | None] = mapped_column(Integer)
    message_ref: Mapped[str | None] = mapped_column(String(200))
    sender_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    sender_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assembled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    complaint_id: Mapped[uuid.UUID | None] = mapped_column()
