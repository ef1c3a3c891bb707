"""The steps of a case: each a use case that changes the case, appends its event and sets the
step's clock, in the caller's transaction."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments.service import claim_for_case
from app.complaints.vocabulary import OmbudsmanEvent
from app.jurisdictions.service import load_context
from app.kernel.errors import Conflict, NotFound
from app.kernel.security import LIAISON, Principal
from app.ombudsman import events, policies, schemas, steps
from app.ombudsman.models import OmbudsmanCase, OmbudsmanStep
from app.ombudsman.policy import StepClock
from app.ombudsman.service import get_case, load, received
from app.routing.service import active_agency


class StepNotFound(NotFound):
    code = "ombudsman_step_not_found"


class StepDone(Conflict):
    code = "step_done"


async def _open_step(
    session: AsyncSession,
    principal: Principal,
    case: OmbudsmanCase,
    kind: str,
    description: str,
    owner: uuid.UUID | None,
    received_at: datetime,
    now: datetime,
    clock: StepClock | None = None,
    due_date: Any = None,
    **extra: Any,
) -> OmbudsmanStep:
    owner_id = owner or case.agency_id
    await active_agency(session, case.jurisdiction_id, owner_id, "owner_agency_id")
    ctx = await load_context(session, case.jurisdiction_id)
    due = None
    if clock is not None:
        policy = await policies.of_case(session, case.jurisdiction_id, case.policy_id)
        due = steps.due_at(ctx.calendar, policy, clock, received_at, due_date)
    taken = await session.scalar(
        select(func.count()).select_from(OmbudsmanStep).where(OmbudsmanStep.case_id == case.id)
    )
    step = OmbudsmanStep(
        id=uuid.uuid4(),
        jurisdiction_id=case.jurisdiction_id,
        case_id=case.id,
        number=(taken or 0) + 1,
        kind=kind,
        description=description,
        owner_agency_id=owner_id,
        state="open",
        received_at=received_at,
        due_at=due,
        notes=[],
        attachments=[],
        created_at=now,
        **extra,
    )
    session.add(step)
    await session.flush()
    await events.schedule(session, case, step, ctx.calendar)
    return step


async def _announce(
    session: AsyncSession,
    principal: Principal,
    case: OmbudsmanCase,
    step: OmbudsmanStep,
    event_type: OmbudsmanEvent,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """The step's event, and an e-mail to the owner agency's liaison and the narahubung."""
    event = await events.append_event(
        session,
        case,
        event_type,
        principal.actor,
        now,
        {
            "step_id": str(step.id),
            "kind": step.kind,
            "due_at": step.due_at.isoformat() if step.due_at else None,
            "reference": step.reference,
            **(data or {}),
        },
        step,
    )
    ctx = await load_context(session, case.jurisdiction_id)
    liaison = await events.liaison_email(session, step.owner_agency_id, ctx.calendar, now)
    await events.mail(
        session,
        case,
        event,
        [
            liaison["email"] if liaison else None,
            *await events.narahubung(session, case.jurisdiction_id),
        ],
        f"{event_type} ({case.letter_number})",
    )


async def _step(
    session: AsyncSession, principal: Principal, case: OmbudsmanCase, step_id: uuid.UUID, kind: str
) -> OmbudsmanStep:
    """An open step of this case and kind; a liaison reaches only their own agency's."""
    step = await session.scalar(
        select(OmbudsmanStep)
        .where(
            OmbudsmanStep.id == step_id,
            OmbudsmanStep.case_id == case.id,
            OmbudsmanStep.kind == kind,
        )
        .with_for_update()
    )
    if step is None or (principal.role == LIAISON and step.owner_agency_id != principal.agency_id):
        raise StepNotFound(f"No such {kind} step in this case.")
    if step.state != "open":
        raise StepDone(f"This {kind} step is done already.")
    return step


# What ends each kind of step, and whether its end may move the case to its next stage.
_FINISHED: dict[str, tuple[OmbudsmanEvent, bool]] = {
    "clarification": ("clarification_answered", False),
    "meeting": ("meeting_held", False),
    "corrective_action": ("corrective_action_completed", True),
    "recommendation": ("recommendation_reported", True),
}


async def finish(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    kind: str,
    text: str,
    attachments: list[str],
    now: datetime,
) -> schemas.CaseOut:
    """End a step: a clarification's answer, a meeting's minutes, a corrective action's
    evidence, a recommendation's report; the last action or report closes the case."""
    case = await load(session, principal, case_id, lock=True)
    step = await _step(session, principal, case, step_id, kind)
    event_type, settles = _FINISHED[kind]
    await claim_for_case(session, principal, case.id, attachments)
    step.answer, step.state, step.done_at = text, "done", now
    step.attachments = [*step.attachments, *attachments]
    await session.flush()
    await _announce(
        session,
        principal,
        case,
        step,
        event_type,
        now,
        {"on_time": steps.on_time(now, step.due_at)},
    )
    if settles:
        await _settle_stage(session, principal, case, now)
    return await get_case(session, principal, case.id, now)


async def _settle_stage(
    session: AsyncSession, principal: Principal, case: OmbudsmanCase, now: datetime
) -> None:
    """After a corrective action or a recommendation is done: the next stage, or the end."""
    counts = dict(
        (
            await session.execute(
                select(OmbudsmanStep.kind, func.count())
                .where(OmbudsmanStep.case_id == case.id, OmbudsmanStep.state == "open")
                .group_by(OmbudsmanStep.kind)
            )
        ).all()
    )
    stage = steps.stage_after_step(
        case.stage, counts.get("corrective_action", 0), counts.get("recommendation", 0)
    )
    if stage != case.stage:
        await _move(session, principal, case, stage, now)


async def _move(
    session: AsyncSession, principal: Principal, case: OmbudsmanCase, stage: str, now: datetime
) -> None:
    case.stage = stage
    if stage == "closed":
        case.closed_at = now
        await events.append_event(
            session, case, "closed", principal.actor, now, {"conclusion": case.conclusion}
        )


async def request_clarification(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.ClarificationIn,
    now: datetime,
) -> schemas.CaseOut:
    """The Ombudsman asks for a clarification or data, by a deadline."""
    case = await load(session, principal, case_id, lock=True)
    steps.require(case.stage, "clarification")
    step = await _open_step(
        session,
        principal,
        case,
        "clarification",
        body.description,
        body.owner_agency_id,
        received(body.received_at, now),
        now,
        "clarification",
        body.due_date,
        reference=body.reference,
    )
    await _announce(session, principal, case, step, "clarification_requested", now)
    return await get_case(session, principal, case.id, now)


async def schedule_meeting(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.MeetingIn,
    now: datetime,
) -> schemas.CaseOut:
    """A clarification, conciliation or mediation meeting on a date."""
    case = await load(session, principal, case_id, lock=True)
    steps.require(case.stage, "meeting")
    step = await _open_step(
        session,
        principal,
        case,
        "meeting",
        body.description,
        None,
        now,
        now,
        meeting_kind=body.meeting_kind,
        scheduled_at=body.scheduled_at,
        place=body.place,
    )
    await _announce(
        session,
        principal,
        case,
        step,
        "meeting_scheduled",
        now,
        {"meeting_kind": body.meeting_kind, "scheduled_at": body.scheduled_at.isoformat()},
    )
    return await get_case(session, principal, case.id, now)


async def _add_action(
    session: AsyncSession,
    principal: Principal,
    case: OmbudsmanCase,
    body: schemas.ActionIn,
    received_at: datetime,
    now: datetime,
) -> None:
    step = await _open_step(
        session,
        principal,
        case,
        "corrective_action",
        body.description,
        body.owner_agency_id,
        received_at,
        now,
        "corrective_action",
        body.due_date,
    )
    await _announce(session, principal, case, step, "corrective_action_added", now)


async def record_lahp(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.LahpIn,
    now: datetime,
) -> schemas.CaseOut:
    """The LAHP's conclusion and its corrective actions, each on its own clock."""
    case = await load(session, principal, case_id, lock=True)
    steps.require(case.stage, "lahp")
    received_at = received(body.received_at, now)
    case.conclusion, case.lahp_number, case.lahp_received_at = (
        body.conclusion,
        body.lahp_number,
        received_at,
    )
    if body.citizen_confidential is not None:
        case.citizen_confidential = body.citizen_confidential
    case.stage = steps.stage_after_lahp(body.conclusion, len(body.corrective_actions))
    await events.append_event(
        session,
        case,
        "lahp_received",
        principal.actor,
        now,
        {
            "conclusion": body.conclusion,
            "lahp_number": body.lahp_number,
            "corrective_actions": len(body.corrective_actions),
        },
    )
    for action in body.corrective_actions:
        await _add_action(session, principal, case, action, received_at, now)
    if case.stage == "closed":
        await _move(session, principal, case, "closed", now)
    return await get_case(session, principal, case.id, now)


async def add_corrective_action(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.ActionIn,
    now: datetime,
) -> schemas.CaseOut:
    """One more corrective action of the LAHP (its time counts from the LAHP's receipt)."""
    case = await load(session, principal, case_id, lock=True)
    steps.require(case.stage, "corrective_action")
    await _add_action(session, principal, case, body, case.lahp_received_at or now, now)
    return await get_case(session, principal, case.id, now)


async def action_progress(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    step_id: uuid.UUID,
    body: schemas.NoteIn,
    now: datetime,
) -> schemas.CaseOut:
    """A progress note on a corrective action, with attachments."""
    case = await load(session, principal, case_id, lock=True)
    step = await _step(session, principal, case, step_id, "corrective_action")
    await claim_for_case(session, principal, case.id, body.attachments)
    step.notes = [
        *step.notes,
        {
            "at": now.isoformat(),
            "note": body.note,
            "attachments": body.attachments,
            "actor": principal.actor,
        },
    ]
    step.attachments = [*step.attachments, *body.attachments]
    await session.flush()
    await events.append_event(
        session,
        case,
        "corrective_action_progress",
        principal.actor,
        now,
        {"step_id": str(step.id), "attachments": len(body.attachments)},
        step,
    )
    return await get_case(session, principal, case.id, now)


async def receive_recommendation(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.RecommendationIn,
    now: datetime,
) -> schemas.CaseOut:
    """The Ombudsman's recommendation; its report is due by the policy (UU 37/2008 Pasal 38)."""
    case = await load(session, principal, case_id, lock=True)
    steps.require(case.stage, "recommendation")
    case.stage = "recommendation"
    step = await _open_step(
        session,
        principal,
        case,
        "recommendation",
        body.description,
        body.owner_agency_id,
        received(body.received_at, now),
        now,
        "recommendation",
        reference=body.reference,
    )
    await _announce(session, principal, case, step, "recommendation_received", now)
    return await get_case(session, principal, case.id, now)
