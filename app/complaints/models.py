import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.complaints.vocabulary import CHANNELS, RESOLUTIONS, STATUSES, TYPES
from app.kernel.db import Base, identified_by, tenant_foreign_key


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"type IS NULL OR type IN {TYPES}", name="type"),
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        CheckConstraint(f"resolution IS NULL OR resolution IN {RESOLUTIONS}", name="resolution"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        # Unique nationwide through `tracking_ids`; here the tenant's lookup by number. Led by
        # tracking_id: a unique index led by jurisdiction_id is one the planner may pick, on a
        # young table, for the foreign-key checks on (id, jurisdiction_id), reading every row of
        # the jurisdiction per check (bench/RESULTS.md, 1 December 19:40).
        UniqueConstraint("tracking_id", "jurisdiction_id"),
        # A duplicate is one of the same jurisdiction's complaints.
        tenant_foreign_key("duplicate_of", "complaints"),
        tenant_foreign_key("possible_duplicate_of", "complaints"),
        # A sender's own message id identifies one complaint: its redelivery is not a new one.
        # Scoped to the sender (`submitted_by`), so two apps numbering alike never meet.
        Index(
            "uq_complaints_sender_channel_ref",
            "jurisdiction_id",
            "channel",
            "submitted_by",
            "channel_ref",
            unique=True,
            postgresql_where=text("channel_ref IS NOT NULL"),
        ),
        # Keyset pagination and the list filters: newest first within a jurisdiction.
        Index("ix_complaints_jurisdiction_received", "jurisdiction_id", "received_at", "id"),
        Index("ix_complaints_jurisdiction_status", "jurisdiction_id", "status", "received_at"),
        Index("ix_complaints_agency_received", "agency_id", "received_at", "id"),
        Index("ix_complaints_submitted_by", "submitted_by", "received_at", "id"),
        Index("ix_complaints_jurisdiction_due", "jurisdiction_id", "due_at"),
        Index(
            "ix_complaints_search",
            text("to_tsvector('simple', coalesce(title, '') || ' ' || text)"),
            postgresql_using="gin",
        ),
    )
    # The primary key (id, jurisdiction_id) is what a complaint's rows elsewhere point at.
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    tracking_id: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(20))
    channel_detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    channel_ref: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id"))
    region_code: Mapped[str | None] = mapped_column(String(13))
    address: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(20))
    suggested_type: Mapped[str | None] = mapped_column(String(20))
    # The classifier's guess at intake (type, category, confidence, cues), kept beside the admin's
    # decision (`type`, `category_id`) so agreement can be reported.
    suggested_category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The last routing decision (outcome, agency, probability, candidates, why); for a complaint
    # left in triage it holds the top candidates the admin picks from.
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    attachments: Mapped[list[str]] = mapped_column(JSONB, default=list)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    # The SLA policy version in force: at intake for verification, fixed at verification.
    policy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla_policies.id"))
    verification_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # While waiting on the reporter: when the wait began, its limit, and where to return.
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    info_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resume_status: Mapped[str | None] = mapped_column(String(20))
    # The outcome of handling as columns, not only event data, so reports read one row per
    # complaint: the first acknowledgement, the latest answer and its result (a reopened
    # complaint keeps its last answer until the next one), the reporter's latest reaction.
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_reason: Mapped[str | None] = mapped_column(String(2000))
    auto_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating: Mapped[int | None] = mapped_column(Integer)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Working days of each step, stored by the transition that ends it (app/complaints/spans.py),
    # so a report reads a number instead of counting a calendar for every row.
    verify_days: Mapped[int | None] = mapped_column(SmallInteger)
    acknowledge_days: Mapped[int | None] = mapped_column(SmallInteger)
    respond_days: Mapped[int | None] = mapped_column(SmallInteger)
    archived_reason: Mapped[str | None] = mapped_column(String(30))
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column()
    possible_duplicate_of: Mapped[uuid.UUID | None] = mapped_column()
    # The user, API client or channel account that took it in: operators and apps see their
    # own, and it scopes `channel_ref` (one sender's message ids are not another's).
    submitted_by: Mapped[uuid.UUID | None] = mapped_column()
    last_seq: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ComplaintEvent(Base):
    """The audit trail: one row per change, numbered per complaint."""

    __tablename__ = "complaint_events"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        tenant_foreign_key("complaint_id", "complaints", ondelete="CASCADE"),
        # The two kinds of event the reports count (app/reports/read.py: transfers, comments):
        # a few in a hundred events, found here instead of by reading every event.
        Index(
            "ix_complaint_events_reported",
            "type",
            "complaint_id",
            postgresql_where=text("type IN ('transferred', 'feedback_received')"),
        ),
    )
    __mapper_args__ = identified_by("complaint_id", "seq")

    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    # The status this event left the complaint in, so no reader replays the history to know it.
    status: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class TrackingId(Base):
    """A tracking number's complaint, found before its jurisdiction is known.

    A citizen tracks a complaint by its number alone (`/v1/track`, `/lacak`, SMS, Open311), and
    the number is unique nationwide: this narrow table holds that uniqueness and answers which
    jurisdiction to ask, so the complaint itself is then read from its own jurisdiction
    (app/tenancy.py: a coordinator-local table on Citus). Written by the intake in the same
    statement as the complaint; a deleted complaint's row stays, so its number is never reused.
    """

    __tablename__ = "tracking_ids"

    tracking_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE")
    )
    complaint_id: Mapped[uuid.UUID] = mapped_column()
