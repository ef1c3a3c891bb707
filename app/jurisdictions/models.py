import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(13), unique=True)  # Kemendagri code, e.g. 35.21
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarOverride(Base):
    """A regional holiday ("holiday") or a national day off the region works ("working_day")."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'working_day')", name="kind"),)

    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SlaPolicy(Base):
    """One version of a jurisdiction's deadline rules; complaints keep the version they got."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint("unit IN ('working_days', 'calendar_days')", name="unit"),
        CheckConstraint(
            "information_days > 0 AND non_field_days > 0 AND field_inspection_days > 0"
            " AND verification_days > 0 AND needs_info_days > 0 AND auto_close_days > 0",
            name="positive_days",
        ),
        UniqueConstraint("jurisdiction_id", "version"),
        # One version per start date: "which rules hold on day d" must have one answer.
        UniqueConstraint("jurisdiction_id", "effective_from"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(16))
    information_days: Mapped[int] = mapped_column(Integer)
    non_field_days: Mapped[int] = mapped_column(Integer)
    field_inspection_days: Mapped[int] = mapped_column(Integer)
    verification_days: Mapped[int] = mapped_column(Integer)
    needs_info_days: Mapped[int] = mapped_column(Integer)
    auto_close_days: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class JurisdictionEvent(Base):
    """The audit trail of a jurisdiction's own settings (a new SLA policy version), written in
    the same transaction as the change; complaints have theirs in `complaint_events`."""

    __tablename__ = "jurisdiction_events"
    __table_args__ = (Index("ix_jurisdiction_events_recent", "jurisdiction_id", "occurred_at"),)
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    type: Mapped[str] = mapped_column(String(50))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
