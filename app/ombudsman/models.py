"""The Ombudsman's cases, their steps, their audit trail and the jurisdiction's policy versions."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kernel.db import Base, identified_by, tenant_foreign_key

STAGES = ("examination", "corrective_action", "recommendation", "closed")
STEP_KINDS = ("clarification", "meeting", "corrective_action", "recommendation")
STEP_STATES = ("open", "done")
CONCLUSIONS = ("maladministration_found", "maladministration_not_found", "examination_stopped")
UNITS = ("working_days", "calendar_days")


class OmbudsmanPolicy(Base):
    """One version of a jurisdiction's Ombudsman deadlines; a case keeps the version it got."""

    __tablename__ = "ombudsman_policies"
    __table_args__ = (
        CheckConstraint(
            f"clarification_unit IN {UNITS} AND corrective_action_unit IN {UNITS}"
            f" AND recommendation_unit IN {UNITS}",
            name="units",
        ),
        CheckConstraint(
            "clarification_days > 0 AND corrective_action_days > 0 AND recommendation_days > 0",
            name="positive_days",
        ),
        UniqueConstraint("jurisdiction_id", "version"),
        UniqueConstraint("jurisdiction_id", "effective_from"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    clarification_days: Mapped[int] = mapped_column(Integer)
    clarification_unit: Mapped[str] = mapped_column(String(16))
    corrective_action_days: Mapped[int] = mapped_column(Integer)
    corrective_action_unit: Mapped[str] = mapped_column(String(16))
    recommendation_days: Mapped[int] = mapped_column(Integer)
    recommendation_unit: Mapped[str] = mapped_column(String(16))
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OmbudsmanCase(Base):
    """A report the Ombudsman examines about one of the Pemda's agencies, from its letter on.

    The citizen's identity, when the Ombudsman disclosed it, is sealed like a reporter's
    (app/privacy, kind ombudsman_citizen, bound to the case id) and read only through
    app/privacy with an access-log row.
    """

    __tablename__ = "ombudsman_cases"
    __table_args__ = (
        CheckConstraint(f"stage IN {STAGES}", name="stage"),
        CheckConstraint(f"conclusion IS NULL OR conclusion IN {CONCLUSIONS}", name="conclusion"),
        # Led by letter_number, not jurisdiction_id: see uq_complaints_tracking_id_jurisdiction_id.
        UniqueConstraint("letter_number", "jurisdiction_id"),
        Index("ix_ombudsman_cases_list", "jurisdiction_id", "received_at", "id"),
        Index("ix_ombudsman_cases_agency", "agency_id", "stage"),
    )
    # The primary key (id, jurisdiction_id) is what a case's rows point at.
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jurisdictions.id", ondelete="CASCADE"), primary_key=True
    )
    letter_number: Mapped[str] = mapped_column(String(100))
    letter_date: Mapped[date] = mapped_column(Date)
    perwakilan: Mapped[str] = mapped_column(String(200))
    report_number: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    stage: Mapped[str] = mapped_column(String(20), default="examination")
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ombudsman_policies.id"))
    policy_version: Mapped[int] = mapped_column(Integer)
    citizen_key_id: Mapped[str | None] = mapped_column(String(32))
    citizen_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The LAHP (or the letter) keeps the reporter's name secret: never exported, never shown.
    citizen_confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    conclusion: Mapped[str | None] = mapped_column(String(40))
    lahp_number: Mapped[str | None] = mapped_column(String(100))
    lahp_received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OmbudsmanCaseComplaint(Base):
    """The Pemda's own complaint about the same matter (UU 25/2009 Pasal 46)."""

    __tablename__ = "ombudsman_case_complaints"
    __table_args__ = (
        tenant_foreign_key("case_id", "ombudsman_cases", ondelete="CASCADE"),
        tenant_foreign_key("complaint_id", "complaints", ondelete="CASCADE"),
    )
    __mapper_args__ = identified_by("case_id", "complaint_id")

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class OmbudsmanStep(Base):
    """One step on its own clock: a clarification request, a meeting, a corrective action, a
    recommendation. `due_at` is its deadline (a meeting has none); `done_at` ends its clock."""

    __tablename__ = "ombudsman_steps"
    __table_args__ = (
        CheckConstraint(f"kind IN {STEP_KINDS}", name="kind"),
        CheckConstraint(f"state IN {STEP_STATES}", name="state"),
        UniqueConstraint("case_id", "number", "jurisdiction_id"),
        Index("ix_ombudsman_steps_owner", "owner_agency_id", "kind", "state"),
        tenant_foreign_key("case_id", "ombudsman_cases", ondelete="CASCADE"),
    )
    __mapper_args__ = identified_by("id")

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column()
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the case, in order taken
    kind: Mapped[str] = mapped_column(String(20))
    # A meeting's form: clarification, conciliation or mediation.
    meeting_kind: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(100))  # the letter's own number
    description: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    state: Mapped[str] = mapped_column(String(10), default="open")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(300))
    answer: Mapped[str | None] = mapped_column(Text)  # the answer, minutes or final report
    # [{"at", "note", "attachments", "actor"}]: progress notes in order.
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # Upload ids (app/attachments) of the answer's data, the minutes, the evidence.
    attachments: Mapped[list[str]] = mapped_column(JSONB, default=list)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OmbudsmanCaseEvent(Base):
    """A case's audit trail: every step change, in the same transaction as the change."""

    __tablename__ = "ombudsman_case_events"
    __table_args__ = (tenant_foreign_key("case_id", "ombudsman_cases", ondelete="CASCADE"),)
    __mapper_args__ = identified_by("case_id", "seq")

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(20))
    step_id: Mapped[uuid.UUID | None] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
