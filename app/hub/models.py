"""The link between our complaints and the national hub's, and the reconciliation reports."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by, tenant_foreign_key


class HubLink(Base):
    """Which hub complaint is ours: pulled from the hub, or forwarded to it by us."""

    __tablename__ = "hub_links"
    __table_args__ = (
        CheckConstraint("origin IN ('hub', 'local')", name="origin"),
        Index("uq_hub_links_hub_id", "jurisdiction_id", "hub_id", unique=True),
        tenant_foreign_key("complaint_id", "complaints", ondelete="CASCADE"),
    )
    __mapper_args__ = identified_by("complaint_id")

    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    hub_id: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(String(10))
    # The highest event seq the hub has acknowledged: reconcile pushes when ours is ahead.
    pushed_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HubReconciliation(Base):
    """One reconcile run: what was compared and what was repaired, for the admins to read."""

    __tablename__ = "hub_reconciliations"
    __table_args__ = (Index("ix_hub_reconciliations_started", "jurisdiction_id", "started_at"),)
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked: Mapped[int] = mapped_column(Integer)
    repaired: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
