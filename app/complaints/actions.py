"""The lifecycle use cases: each locks the complaint, checks the table, changes it, records why.

Every function runs inside the caller's transaction and appends its events (and so their
outbox rows) there; nothing here commits.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import schemas, timers
from app.complaints.access import visible_to
from app.complaints.clock import resumed_due_at
from app.complaints.events import append_event, closed_data
from app.complaints.lifecycle import IllegalTransition, next_status
from app.complaints.models import Complaint
from app.complaints.spans import span
from app.jurisdictions.service import JurisdictionContext, policy_of
from app.kernel.errors import Conflict, Invalid, NotFound
from app.kernel.security import LIAISON, Principal
from app.routing import decision as routing_decision
from app.routing.decide import Sample
from app.routing.service import (
    active_agency,
    agency_or_none,
    check_category,
    dispatch_notice,
    liaison_may_transfer,
)


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"


async def load_for_update(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> Complaint:
    """The complaint, row-locked, if this caller may see it; 404 otherwise."""
    complaint = await session.scalar(
        select(Complaint)
        .where(Complaint.id == complaint_id, visible_to(principal))
        .with_for_update()
    )
    if complaint is None:
        raise ComplaintNotFound("No such complaint.")
    return complaint


def _target(complaint: Complaint, action: str) -> str:
    """Where `action` takes the complaint, or 409 when the lifecycle forbids it."""
    try:
        return next_status(action, complaint.status, complaint.resume_status)
    except IllegalTransition as exc:
        raise Conflict(
            f"Cannot {action.replace('_', ' ')}: the complaint is {exc.status}.",
            code=f"complaint_is_{exc.status}",
            details=[{"field": "status", "message": exc.status}],
        ) from exc


def _advance(complaint: Complaint, action: str) -> None:
    complaint.status = _target(complaint, action)


async def verify(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.VerifyIn,
    now: datetime,
) -> Complaint:
    """Classify and start the clock under the policy in force now; dispatch if an agency is set."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "verify")
    if body.category_id is not None:
        await check_category(session, ctx.id, body.category_id)
        c.category_id = body.category_id
    agency = await active_agency(session, ctx.id, body.agency_id) if body.agency_id else None
    policy = ctx.policy_at(now)
    c.policy_id = policy.id
    c.type = body.type
    c.verified_at = now
    c.verify_days = span(ctx.calendar, c.received_at, now)
    c.due_at = ctx.calendar.add_days(now, policy.days_for(body.type), policy.unit)
    routing: dict[str, Any] = {"reason": "chosen at verify", "routed_by": "admin"}
    if agency is None:
        # Without the admin's category, the classifier's suggestion routes (and says so).
        category_id = c.category_id or c.suggested_category_id
        decision = await routing_decision.decide(
            session,
            ctx,
            Sample(c.text, c.title, category_id, c.region_code, c.channel),
            c.address,
        )
        agency = await agency_or_none(session, decision.agency.id if decision.agency else None)
        routing = decision.as_event_data()
        routing["category_source"] = (
            "admin" if c.category_id else "suggestion" if category_id else None
        )
    c.routing = {k: v for k, v in routing.items() if k != "rules_checked"}
    await append_event(
        session,
        c,
        "verified",
        principal.actor,
        now,
        {
            "type": body.type,
            "suggested_type": c.suggested_type,
            "category_id": str(c.category_id) if c.category_id else None,
            "policy_version": policy.version,
            "unit": policy.unit,
            "days": policy.days_for(body.type),
            "due_at": c.due_at.isoformat(),
            "note": body.note,
            # Left in triage: the model's candidates, for the admin's one-call dispatch.
            **({"routing": routing} if agency is None else {}),
        },
    )
    await timers.schedule_clock(session, c, ctx)
    if agency is not None:
        _advance(c, "dispatch")
        c.agency_id = agency.id
        # A region found from the address is kept with the event that says how it was found.
        if c.region_code is None and routing.get("region"):
            c.region_code = routing["region"]["code"]
        await append_event(
            session,
            c,
            "dispatched",
            principal.actor,
            now,
            {
                "agency_id": str(agency.id),
                "agency_name": agency.name,
                **routing,
                **await dispatch_notice(session, ctx, agency, now),
            },
        )
    return c


async def request_info(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.RequestInfoIn,
    now: datetime,
) -> Complaint:
    """Ask the reporter for what is missing; after verification this pauses the clock."""
    c = await load_for_update(session, principal, complaint_id)
    previous = c.status
    _advance(c, "request_info")
    policy = await policy_of(session, ctx, c.policy_id)
    c.resume_status = previous
    c.paused_at = now if c.verified_at is not None else None
    c.info_due_at = ctx.calendar.add_days(now, policy.needs_info_days, policy.unit)
    await append_event(
        session,
        c,
        "needs_info",
        principal.actor,
        now,
        {
            "message": body.message,
            "info_due_at": c.info_due_at.isoformat(),
            "clock_paused": c.paused_at is not None,
        },
    )
    await timers.schedule_info_expiry(session, c)
    return c


async def supply_info(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.InfoIn,
    now: datetime,
) -> Complaint:
    """The reporter's answer: back to where it was, with the paused days given back."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "supply_info")
    policy = await policy_of(session, ctx, c.policy_id)
    data: dict[str, Any] = {"text": body.text, "attachments": body.attachments}
    if c.paused_at is not None and c.due_at is not None:
        new_due = resumed_due_at(c.due_at, c.paused_at, now, ctx.calendar, policy.unit)
        data |= {"previous_due_at": c.due_at.isoformat(), "due_at": new_due.isoformat()}
        c.due_at = new_due
    elif c.verified_at is None:
        # Incomplete until now: the admins' verification limit starts again from the answer.
        c.verification_due_at = ctx.calendar.add_days(now, policy.verification_days, policy.unit)
        data["verification_due_at"] = c.verification_due_at.isoformat()
    c.paused_at = c.info_due_at = c.resume_status = None
    await append_event(session, c, "info_supplied", principal.actor, now, data)
    if c.verified_at is None:
        await timers.schedule_verification(session, c)
    else:
        await timers.schedule_clock(session, c, ctx)
    return c


async def archive(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.ArchiveIn,
    now: datetime,
) -> Complaint:
    """Set a complaint aside with a reason; a duplicate points at the complaint it repeats."""
    c = await load_for_update(session, principal, complaint_id)
    if body.duplicate_of is not None:
        if body.duplicate_of == c.id:
            raise Invalid.field("duplicate_of", "A complaint cannot duplicate itself.")
        original = await session.scalar(
            select(Complaint.id).where(Complaint.id == body.duplicate_of, visible_to(principal))
        )
        if original is None:
            raise Invalid.field("duplicate_of", "Unknown complaint.", code="unknown_complaint")
    _advance(c, "archive")
    c.archived_reason = body.reason
    c.duplicate_of = body.duplicate_of
    c.paused_at = c.info_due_at = c.resume_status = None
    await append_event(
        session,
        c,
        "archived",
        principal.actor,
        now,
        {
            "reason": body.reason,
            "duplicate_of": str(body.duplicate_of) if body.duplicate_of else None,
            "note": body.note,
        },
    )
    return c


async def dispatch(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.DispatchIn,
    now: datetime,
) -> Complaint:
    """Send (or send again, by hand) to an agency; the clock keeps running."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "dispatch")
    agency = await active_agency(session, ctx.id, body.agency_id)
    previous = c.agency_id
    c.agency_id = agency.id
    # The admin's choice is a label the model learns from (see classification/retrain.py).
    c.routing = {"routed_by": "admin", "reason": "by hand", "agency_id": str(agency.id)}
    await append_event(
        session,
        c,
        "dispatched",
        principal.actor,
        now,
        {
            "agency_id": str(agency.id),
            "agency_name": agency.name,
            "previous_agency_id": str(previous) if previous else None,
            "reason": "by hand",
            "routed_by": "admin",
            "note": body.note,
            **await dispatch_notice(session, ctx, agency, now),
        },
    )
    return c


async def acknowledge(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.AcknowledgeIn,
    now: datetime,
) -> Complaint:
    """The agency's liaison takes the complaint up."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "acknowledge")
    # The first acknowledgement is the agency's reaction time; a transfer's next one is not.
    if c.acknowledged_at is None:
        c.acknowledged_at = now
        c.acknowledge_days = span(ctx.calendar, c.verified_at, now)
    await append_event(session, c, "acknowledged", principal.actor, now, {"note": body.note})
    return c


async def transfer(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.TransferIn,
    now: datetime,
) -> Complaint:
    """Bukan wewenang: pass it to another agency, keeping its clock.

    A liaison only asks (a `transfer_requested` event for the admins) unless the jurisdiction
    lets liaisons transfer directly.
    """
    c = await load_for_update(session, principal, complaint_id)
    status_before = c.status
    _advance(c, "transfer")
    agency = await active_agency(session, ctx.id, body.agency_id)
    if agency.id == c.agency_id:
        raise Invalid.field("agency_id", "The complaint is already with this agency.")
    if principal.role == LIAISON and not await liaison_may_transfer(session, ctx.id):
        c.status = status_before
        await append_event(
            session,
            c,
            "transfer_requested",
            principal.actor,
            now,
            {
                "from_agency_id": str(c.agency_id) if c.agency_id else None,
                "agency_id": str(agency.id),
                "agency_name": agency.name,
                "reason": body.reason,
                "to": ["admins"],
            },
        )
        return c
    previous = c.agency_id
    c.agency_id = agency.id
    await append_event(
        session,
        c,
        "transferred",
        principal.actor,
        now,
        {
            "from_agency_id": str(previous) if previous else None,
            "agency_id": str(agency.id),
            "agency_name": agency.name,
            "reason": body.reason,
            **await dispatch_notice(session, ctx, agency, now),
        },
    )
    return c


async def respond(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.ResponseIn,
    now: datetime,
) -> Complaint:
    """The agency's answer (tindak lanjut); it closes by itself if the reporter stays silent."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "respond")
    policy = await policy_of(session, ctx, c.policy_id)
    c.responded_at = now
    c.respond_days = span(ctx.calendar, c.verified_at, now)
    c.resolution = body.resolution
    c.resolution_reason = body.resolution_reason
    c.auto_close_at = ctx.calendar.add_days(now, policy.auto_close_days, policy.unit)
    await append_event(
        session,
        c,
        "responded",
        principal.actor,
        now,
        {
            "message": body.message,
            "attachments": body.attachments,
            "resolution": body.resolution,
            "resolution_reason": body.resolution_reason,
            "on_time": c.due_at is None or now <= c.due_at,
            "auto_close_at": c.auto_close_at.isoformat(),
        },
    )
    await timers.schedule_auto_close(session, c)
    return c


async def feedback(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.FeedbackIn,
    now: datetime,
) -> Complaint:
    """The reporter's reaction: satisfied closes, not satisfied reopens."""
    c = await load_for_update(session, principal, complaint_id)
    target = _target(c, "feedback_satisfied" if body.satisfied else "feedback_unsatisfied")
    c.auto_close_at = None
    c.rating = body.rating
    c.satisfied = body.satisfied
    # The feedback arrives while the complaint is responded (its event says so); the close or
    # reopen that follows is the move.
    await append_event(
        session,
        c,
        "feedback_received",
        principal.actor,
        now,
        {"rating": body.rating, "satisfied": body.satisfied, "comment": body.comment},
    )
    c.status = target
    if body.satisfied:
        c.closed_at = now
        await append_event(session, c, "closed", principal.actor, now, closed_data(c, "satisfied"))
    else:
        c.reopen_count += 1
        await append_event(
            session,
            c,
            "reopened",
            principal.actor,
            now,
            {"rating": body.rating, "reopen_count": c.reopen_count},
        )
        await timers.schedule_clock(session, c, ctx)
    return c


async def extend(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    complaint_id: uuid.UUID,
    body: schemas.ExtendIn,
    now: datetime,
) -> Complaint:
    """Move the deadline by working days, with a reason on record."""
    c = await load_for_update(session, principal, complaint_id)
    _advance(c, "extend")
    if c.due_at is None:
        raise Conflict(
            "Only a verified complaint has a deadline to extend.", code="complaint_not_verified"
        )
    previous = c.due_at
    c.due_at = ctx.calendar.add_days(previous, body.working_days, "working_days")
    await append_event(
        session,
        c,
        "deadline_extended",
        principal.actor,
        now,
        {
            "working_days": body.working_days,
            "reason": body.reason,
            "previous_due_at": previous.isoformat(),
            "due_at": c.due_at.isoformat(),
        },
    )
    await timers.schedule_clock(session, c, ctx)
    return c
