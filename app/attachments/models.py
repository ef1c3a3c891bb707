import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by, tenant_foreign_key


class Attachment(Base):
    """An uploaded file; unattached it belongs to its uploader, attached to its complaint (or
    Ombudsman case)."""

    __tablename__ = "attachments"
    __table_args__ = (
        tenant_foreign_key("complaint_id", "complaints", ondelete="CASCADE"),
        tenant_foreign_key("ombudsman_case_id", "ombudsman_cases", ondelete="CASCADE"),
    )
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    uploaded_by: Mapped[uuid.UUID] = mapped_column(index=True)
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # Or to an Ombudsman case: the data of an answer, a meeting's minutes, evidence of an action.
    ombudsman_case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
