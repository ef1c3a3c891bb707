import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ClassifierModel(Base):
    """A jurisdiction's learned classifier and how it scored against the rules on held-out data."""

    __tablename__ = "classifier_models"

    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    samples: Mapped[int] = mapped_column(Integer)
    model_accuracy: Mapped[float] = mapped_column(Float)
    rules_accuracy: Mapped[float] = mapped_column(Float)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
