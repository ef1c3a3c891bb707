import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by


class RoutingModel(Base):
    """One training run of a jurisdiction: its hold-out evaluation and, if kept, the model.

    `arrays` is an `np.savez` archive of plain numeric arrays (read with `allow_pickle=False`),
    never a pickle: loading a model from the database cannot run code.
    """

    __tablename__ = "routing_models"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "version"),)
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    samples: Mapped[int] = mapped_column(Integer)
    # Kept only when it beat the model in use on the same hold-out; the newest kept one serves.
    kept: Mapped[bool] = mapped_column(Boolean)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    arrays: Mapped[bytes | None] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
