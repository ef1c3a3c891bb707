import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by, tenant_foreign_key


class IdentityAccessLog(Base):
    """One row per read or change of a reporter's identity; append-only (a trigger enforces it)."""

    __tablename__ = "identity_access_log"
    __table_args__ = (
        Index("ix_identity_access_log_jurisdiction_at", "jurisdiction_id", "occurred_at", "id"),
        Index("ix_identity_access_log_complaint", "complaint_id", "occurred_at"),
        # No cascade: a complaint whose identity was read cannot take its log with it.
        tenant_foreign_key("complaint_id", "complaints"),
        Index("ix_identity_access_log_ombudsman_case", "ombudsman_case_id", "occurred_at"),
        tenant_foreign_key("ombudsman_case_id", "ombudsman_cases"),
        CheckConstraint(
            "(complaint_id IS NULL) <> (ombudsman_case_id IS NULL)", name="one_subject"
        ),
    )
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id"), primary_key=True
    )
    complaint_id: Mapped[uuid.UUID | None] = mapped_column()
    # Or the citizen an Ombudsman case names (app/privacy/citizens.py).
    ombudsman_case_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[uuid.UUID] = mapped_column()
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # detail, reveal, export, correct
    purpose: Mapped[str] = mapped_column(String(2000))
    fields: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    request_id: Mapped[str | None] = mapped_column(String(64))


class Reporter(Base):
    """Reporter identity, apart from the complaint and encrypted; hashes allow exact lookups."""

    __tablename__ = "reporters"
    # Each hash with the time, newest first: the duplicate search reads a reporter's latest few.
    __table_args__ = (
        *(
            Index(f"ix_reporters_{kind}_hash_created", f"{kind}_hash", "created_at")
            for kind in ("nik", "phone", "email", "social")
        ),
        tenant_foreign_key("complaint_id", "complaints", ondelete="CASCADE"),
    )
    __mapper_args__ = identified_by("complaint_id")

    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    email_hash: Mapped[str | None] = mapped_column(String(64))
    # The reporter's account on a social platform (WhatsApp id, page-scoped id, X user id).
    social_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
