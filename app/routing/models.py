import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base

AGENCY_KINDS = ("dinas", "badan", "bagian", "kecamatan", "kelurahan_desa", "bumd", "vertical")
LIAISON_ROLES = ("primary", "deputy")


class Agency(Base):
    """A Perangkat Daerah: the unit that must act on a complaint."""

    __tablename__ = "agencies"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "code"),
        CheckConstraint(f"kind IN {AGENCY_KINDS}", name="kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # The head (kepala) receives overdue escalations beside the supervisors.
    head_email: Mapped[str | None] = mapped_column(String(320))
    # An area office (kecamatan, kelurahan) serves this Kemendagri region and all below it:
    # learned routing picks it by the complaint's region, not by its text.
    region_code: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Liaison(Base):
    """A pejabat penghubung appointed by decree, valid between two dates (inclusive)."""

    __tablename__ = "liaisons"
    __table_args__ = (
        CheckConstraint(f"role IN {LIAISON_ROLES}", name="role"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(30))
    decree_number: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Category(Base):
    """A node of the jurisdiction's complaint category tree."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id"))
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    default_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    default_type: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Region(Base):
    """A Kemendagri region (kecamatan or desa/kelurahan); national, loaded per jurisdiction."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)


class RoutingRule(Base):
    """An ordered rule: when every condition set holds, the complaint goes to `agency_id`."""

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_order", "jurisdiction_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE")
    )
    region_prefix: Mapped[str | None] = mapped_column(String(13))
    keywords: Mapped[list[str]] = mapped_column(JSONB, default=list)
    channel: Mapped[str | None] = mapped_column(String(20))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RoutingSettings(Base):
    """Per-jurisdiction routing policy (absent row: the defaults)."""

    __tablename__ = "routing_settings"

    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    # Pelimpahan: may a liaison transfer directly, or only ask the admins to?
    liaison_direct_transfer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    # Below this probability the learned model sends a complaint to triage (None: the model's
    # own threshold, chosen on its hold-out for 90% precision).
    auto_dispatch_threshold: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
