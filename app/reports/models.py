import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base


class ReportTarget(Base):
    """A jurisdiction's target share of settled complaints for one year (its Renstra table)."""

    __tablename__ = "report_targets"
    __table_args__ = (
        CheckConstraint("settled_percent >= 0 AND settled_percent <= 100", name="percent"),
    )

    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    settled_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
