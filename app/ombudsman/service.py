"""Ombudsman cases: take the letter in, list, read, correct, and reveal the citizen it names."""

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import readmodel as complaints
from app.jurisdictions.service import JurisdictionContext, load_context
from app.kernel.errors import Conflict, Invalid, NotFound
from app.kernel.pagination import newest_first
from app.kernel.security import Principal
from app.ombudsman import events, policies, schemas, steps
from app.ombudsman.models import (
    OmbudsmanCase,
    OmbudsmanCaseComplaint,
    OmbudsmanCaseEvent,
    OmbudsmanStep,
)
from app.ombudsman.readmodel import visible
from app.privacy import citizens
from app.privacy.crypto import Sealer
from app.routing.service import active_agency


class CaseNotFound(NotFound):
    code = "ombudsman_case_not_found"


class LetterTaken(Conflict):
    code = "letter_number_taken"


class CitizenNotHeld(NotFound):
    code = "citizen_not_held"


def received(value: datetime | None, now: datetime) -> datetime:
    """When a letter arrived: now, or a past instant the caller gives (letters are entered late)."""
    if value is None:
        return now
    if value > now:
        raise Invalid.field("received_at", "received_at must not be in the future.")
    return value


async def _check_complaints(
    session: AsyncSession, jurisdiction_id: uuid.UUID, ids: list[uuid.UUID]
) -> None:
    found = await complaints.of_jurisdiction_ids(session, jurisdiction_id, ids)
    missing = sorted(str(i) for i in set(ids) - found)
    if missing:
        raise Invalid(
            "Unknown complaint, or not this jurisdiction's.",
            code="unknown_complaint",
            details=[{"field": "complaint_ids", "message": m} for m in missing],
        )


async def _link(session: AsyncSession, case: OmbudsmanCase, ids: list[uuid.UUID]) -> None:
    await session.execute(
        delete(OmbudsmanCaseComplaint).where(
            OmbudsmanCaseComplaint.case_id == case.id,
            OmbudsmanCaseComplaint.jurisdiction_id == case.jurisdiction_id,
        )
    )
    if ids:
        await session.execute(
            insert(OmbudsmanCaseComplaint),
            [
                {"case_id": case.id, "complaint_id": c, "jurisdiction_id": case.jurisdiction_id}
                for c in dict.fromkeys(ids)
            ],
        )


async def create_case(
    session: AsyncSession, sealer: Sealer, principal: Principal, body: schemas.CaseIn, now: datetime
) -> schemas.CaseOut:
    """Take the Ombudsman's letter in and route it to the agency's liaison and the narahubung."""
    jur = principal.jurisdiction_id
    await active_agency(session, jur, body.agency_id)
    await _check_complaints(session, jur, body.complaint_ids)
    taken = await session.scalar(
        select(OmbudsmanCase.id).where(
            OmbudsmanCase.jurisdiction_id == jur, OmbudsmanCase.letter_number == body.letter_number
        )
    )
    if taken is not None:
        raise LetterTaken(
            f"Letter {body.letter_number} is case {taken} already.",
            details=[{"field": "letter_number", "message": f"case {taken}"}],
        )
    ctx = await load_context(session, jur)
    received_at = received(body.received_at, now)
    policy = await policies.in_force(session, ctx, received_at)
    case = OmbudsmanCase(
        id=uuid.uuid4(),
        jurisdiction_id=jur,
        letter_number=body.letter_number,
        letter_date=body.letter_date,
        perwakilan=body.perwakilan,
        report_number=body.report_number,
        subject=body.subject,
        agency_id=body.agency_id,
        stage="examination",
        policy_id=policy.id,
        policy_version=policy.version,
        citizen_confidential=body.citizen_confidential,
        received_at=received_at,
        last_seq=0,
        created_by=principal.id,
        created_at=now,
        updated_at=now,
    )
    citizen = body.citizen.model_dump(exclude_none=True) if body.citizen else {}
    if citizen:
        case.citizen_key_id, case.citizen_ciphertext = citizens.seal(sealer, citizen, case.id)
    session.add(case)
    await session.flush()
    await _link(session, case, body.complaint_ids)
    liaison = await events.liaison_email(session, case.agency_id, ctx.calendar, now)
    event = await events.append_event(
        session,
        case,
        "received",
        principal.actor,
        now,
        {
            "letter_number": case.letter_number,
            "agency_id": str(case.agency_id),
            "policy_version": policy.version,
            "citizen_disclosed": bool(citizen),
            "routed_to": {
                "agency_liaison": {k: v for k, v in (liaison or {}).items() if k != "email"}
                or None,
                "narahubung": True,
            },
        },
    )
    await events.mail(
        session,
        case,
        event,
        [liaison["email"] if liaison else None, *await events.narahubung(session, jur)],
        f"surat {case.letter_number} untuk instansi Anda",
    )
    return await get_case(session, principal, case.id, now)


async def load(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, lock: bool = False
) -> OmbudsmanCase:
    """The case if `principal` may see it (locked for a change when `lock`); else 404."""
    stmt = select(OmbudsmanCase).where(OmbudsmanCase.id == case_id, visible(principal))
    if lock:
        stmt = stmt.with_for_update()
    case = await session.scalar(stmt)
    if case is None:
        raise CaseNotFound("No such Ombudsman case.")
    return case


async def steps_of(
    session: AsyncSession, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[OmbudsmanStep]]:
    rows = await session.scalars(
        select(OmbudsmanStep)
        .where(OmbudsmanStep.case_id.in_(case_ids))
        .order_by(OmbudsmanStep.case_id, OmbudsmanStep.number)
    )
    out: dict[uuid.UUID, list[OmbudsmanStep]] = {i: [] for i in case_ids}
    for row in rows:
        out[row.case_id].append(row)
    return out


async def links_of(
    session: AsyncSession, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(OmbudsmanCaseComplaint.case_id, OmbudsmanCaseComplaint.complaint_id).where(
            OmbudsmanCaseComplaint.case_id.in_(case_ids)
        )
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in case_ids}
    for case_id, complaint_id in rows.all():
        out[case_id].append(complaint_id)
    return out


def step_out(s: OmbudsmanStep, now: datetime) -> schemas.StepOut:
    return schemas.StepOut(
        id=s.id,
        number=s.number,
        kind=s.kind,
        meeting_kind=s.meeting_kind,
        reference=s.reference,
        description=s.description,
        owner_agency_id=s.owner_agency_id,
        state=s.state,
        received_at=s.received_at,
        due_at=s.due_at,
        scheduled_at=s.scheduled_at,
        place=s.place,
        answer=s.answer,
        notes=s.notes,
        attachments=s.attachments,
        done_at=s.done_at,
        on_time=steps.on_time(s.done_at, s.due_at),
        overdue=s.state == "open" and s.due_at is not None and now > s.due_at,
    )


def case_out(
    c: OmbudsmanCase, case_steps: list[OmbudsmanStep], links: list[uuid.UUID], now: datetime
) -> schemas.CaseOut:
    open_dues = [s.due_at for s in case_steps if s.state == "open" and s.due_at is not None]
    return schemas.CaseOut(
        id=c.id,
        letter_number=c.letter_number,
        letter_date=c.letter_date,
        perwakilan=c.perwakilan,
        report_number=c.report_number,
        subject=c.subject,
        agency_id=c.agency_id,
        stage=c.stage,
        policy_version=c.policy_version,
        citizen_disclosed=c.citizen_ciphertext is not None,
        citizen_confidential=c.citizen_confidential,
        conclusion=c.conclusion,
        lahp_number=c.lahp_number,
        received_at=c.received_at,
        closed_at=c.closed_at,
        complaint_ids=sorted(links),
        next_due_at=min(open_dues, default=None),
        steps=[step_out(s, now) for s in case_steps],
    )


async def get_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, now: datetime
) -> schemas.CaseOut:
    """One case with its steps and linked complaints."""
    case = await load(session, principal, case_id)
    return case_out(
        case,
        (await steps_of(session, [case.id]))[case.id],
        (await links_of(session, [case.id]))[case.id],
        now,
    )


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    now: datetime,
    stage: list[str] | None,
    agency_id: uuid.UUID | None,
    year: int | None,
    ctx: JurisdictionContext,
    limit: int,
    cursor: str | None,
) -> schemas.CasePage:
    """The cases the caller may see, newest letter first, keyset-paginated."""
    stmt = select(OmbudsmanCase).where(visible(principal))
    if stage:
        stmt = stmt.where(OmbudsmanCase.stage.in_(stage))
    if agency_id is not None:
        stmt = stmt.where(OmbudsmanCase.agency_id == agency_id)
    if year is not None:
        start = ctx.calendar.start_of_local_day(datetime(year, 1, 1).date())
        end = ctx.calendar.start_of_local_day(datetime(year + 1, 1, 1).date())
        stmt = stmt.where(OmbudsmanCase.received_at >= start, OmbudsmanCase.received_at < end)
    rows, next_cursor = await newest_first(
        session, stmt, OmbudsmanCase.received_at, OmbudsmanCase.id, limit, cursor
    )
    ids = [r.id for r in rows]
    all_steps, links = await steps_of(session, ids), await links_of(session, ids)
    return schemas.CasePage(
        items=[case_out(r, all_steps[r.id], links[r.id], now) for r in rows],
        next_cursor=next_cursor,
    )


async def patch_case(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    body: schemas.CasePatch,
    now: datetime,
) -> schemas.CaseOut:
    """Correct the letter's particulars or the linked complaints; an event names the fields."""
    case = await load(session, principal, case_id, lock=True)
    changed = sorted(body.model_fields_set)
    for field in changed:
        if field == "complaint_ids":
            ids = body.complaint_ids or []
            await _check_complaints(session, case.jurisdiction_id, ids)
            await _link(session, case, ids)
        else:
            setattr(case, field, getattr(body, field))
    if changed:
        await events.append_event(
            session, case, "updated", principal.actor, now, {"fields": changed}
        )
    return await get_case(session, principal, case.id, now)


async def case_events(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> schemas.EventList:
    """The case's timeline, in order."""
    case = await load(session, principal, case_id)
    rows = await session.scalars(
        select(OmbudsmanCaseEvent)
        .where(OmbudsmanCaseEvent.case_id == case.id)
        .order_by(OmbudsmanCaseEvent.seq)
    )
    return schemas.EventList(
        items=[schemas.EventOut.model_validate(r, from_attributes=True) for r in rows]
    )


async def reveal_citizen(
    session: AsyncSession, sealer: Sealer, principal: Principal, case_id: uuid.UUID, reason: str
) -> schemas.RevealOut:
    """A manager's reasoned read of the citizen the letter names; logged."""
    case = await load(session, principal, case_id)
    if case.citizen_key_id is None or case.citizen_ciphertext is None:
        raise CitizenNotHeld("The Ombudsman disclosed no citizen identity with this case.")
    identity = await citizens.read(
        session,
        sealer,
        principal,
        case.jurisdiction_id,
        case.id,
        (case.citizen_key_id, case.citizen_ciphertext),
        "reveal",
        reason,
    )
    return schemas.RevealOut(case_id=case.id, citizen=schemas.CitizenOut(**identity))
