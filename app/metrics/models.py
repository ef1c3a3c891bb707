from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base


class MetricSnapshot(Base):
    """The latest figures a worker counted (outbox, deliveries, complaints), for every API
    process to serve at /metrics without counting per scrape. One row per snapshot name."""

    __tablename__ = "metric_snapshots"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # [{"metric": str, "labels": {str: str}, "value": float}, ...]
    samples: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
