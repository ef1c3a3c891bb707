import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base


class OutboxMessage(Base):
    """A promise made in the same transaction as a change: a callback, a timer, a notice, a job.

    `available_at` in the future makes it a timer (and, while a sender holds its lease, it is the
    lease's end, so a claimed row is not due again until the lease runs out). `dedupe_key` makes
    scheduling idempotent, so a timer recomputed twice is one row. A row with an `ordering_key`
    waits while an earlier (lower `position`) pending row with the same key exists; `held` rows
    wait for their owner to release them (the deliveries of a disabled webhook endpoint).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'done', 'dead', 'cancelled', 'held')", name="status"
        ),
        # The claim: one topic's due rows in time order, pending rows only.
        Index(
            "ix_outbox_messages_due",
            "topic",
            "available_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # The order check: is an earlier row with this key still pending? Also serves a prefix.
        Index(
            "ix_outbox_messages_ordering",
            "ordering_key",
            "position",
            postgresql_where=text("status = 'pending' AND ordering_key IS NOT NULL"),
            postgresql_ops={"ordering_key": "varchar_pattern_ops"},
        ),
        # The retention job: done rows by age (app/outbox/tasks.py).
        Index(
            "ix_outbox_messages_done",
            "done_at",
            postgresql_where=text("status = 'done'"),
        ),
        Index(
            "ix_outbox_messages_held",
            "ordering_key",
            postgresql_where=text("status = 'held'"),
            postgresql_ops={"ordering_key": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # None for a periodic job, which belongs to no jurisdiction.
    jurisdiction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE")
    )
    topic: Mapped[str] = mapped_column(String(50))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # No foreign key: on Citus this table stays on the coordinator and complaints are
    # distributed, and a local table cannot point at a distributed one (app/tenancy.py).
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(BigInteger, Identity(always=False))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    available_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
