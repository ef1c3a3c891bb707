"""A case's audit trail and what follows each change, in the caller's transaction: the event
row, the step's reminder and escalation timers, and the e-mails people must get."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.calendar.workdays import WorkCalendar
from app.complaints.vocabulary import OmbudsmanEvent
from app.kernel.security import OMBUDSMAN_LIAISON, SUPERVISOR
from app.ombudsman import steps
from app.ombudsman.fanout import EVENT_TOPIC
from app.ombudsman.models import OmbudsmanCase, OmbudsmanCaseEvent, OmbudsmanStep
from app.outbox.service import NewMessage, enqueue, enqueue_many
from app.routing.notify import EMAIL_TOPIC
from app.routing.service import agency_head_email, current_liaisons

TIMER_TOPIC = "ombudsman_timer"


async def append_event(
    session: AsyncSession,
    case: OmbudsmanCase,
    event_type: OmbudsmanEvent,
    actor: dict[str, str],
    now: datetime,
    data: dict[str, Any] | None = None,
    step: OmbudsmanStep | None = None,
) -> OmbudsmanCaseEvent:
    """Record `event_type` as the case's next seq; the caller holds the case's row lock."""
    case.last_seq += 1
    case.updated_at = now
    event = OmbudsmanCaseEvent(
        case_id=case.id,
        jurisdiction_id=case.jurisdiction_id,
        seq=case.last_seq,
        type=event_type,
        stage=case.stage,
        step_id=step.id if step is not None else None,
        occurred_at=now,
        actor=actor,
        data=data or {},
    )
    session.add(event)
    await session.flush()
    # Keyed per case, so its events reach each receiver in seq order.
    await enqueue(
        session,
        case.jurisdiction_id,
        EVENT_TOPIC,
        f"{EVENT_TOPIC}:{case.id}:{event.seq}",
        {"case_id": str(case.id), "seq": event.seq},
        available_at=now,
        ordering_key=f"{EVENT_TOPIC}:{case.id}",
    )
    return event


async def schedule(
    session: AsyncSession, case: OmbudsmanCase, step: OmbudsmanStep, cal: WorkCalendar
) -> None:
    """The step's reminder and escalation; the same step and deadline twice is one timer each."""
    if step.due_at is None:
        return
    stamp = step.due_at.isoformat()
    for kind, fire_at in steps.timers(cal, step.due_at):
        await enqueue(
            session,
            case.jurisdiction_id,
            TIMER_TOPIC,
            f"ombudsman:{kind}:{step.id}:{stamp}",
            {"kind": kind, "case_id": str(case.id), "step_id": str(step.id), "due": stamp},
            available_at=fire_at,
        )


async def liaison_email(
    session: AsyncSession, agency_id: uuid.UUID, cal: WorkCalendar, now: datetime
) -> dict[str, Any] | None:
    """The agency's liaison today (the deputy when the primary is away), as an event names it."""
    current = (await current_liaisons(session, [agency_id], cal.local_date(now))).get(agency_id)
    if current is None:
        return None
    return {"id": str(current.id), "name": current.name, "email": current.email}


async def narahubung(session: AsyncSession, jurisdiction_id: uuid.UUID) -> list[str]:
    return await accounts.emails_of(session, jurisdiction_id, OMBUDSMAN_LIAISON)


async def escalation_emails(
    session: AsyncSession, case: OmbudsmanCase, step: OmbudsmanStep
) -> list[str]:
    """The agency head, the supervisors (Inspektorat, Sekda) and the narahubung."""
    to = await accounts.emails_of(session, case.jurisdiction_id, SUPERVISOR)
    head = await agency_head_email(session, step.owner_agency_id)
    if head:
        to.append(head)
    return [*to, *await narahubung(session, case.jurisdiction_id)]


async def mail(
    session: AsyncSession,
    case: OmbudsmanCase,
    event: OmbudsmanCaseEvent,
    to: list[str | None],
    subject: str,
) -> None:
    """One e-mail row per distinct address; the body holds the case's letter, never a name."""
    body = (
        f"Surat Ombudsman {case.letter_number} ({case.perwakilan})\n"
        f"Perihal: {case.subject}\nTahap: {case.stage}\nPeristiwa: {event.type}\n"
        + "".join(f"{k}: {v}\n" for k, v in event.data.items() if k in ("due_at", "reference"))
    )
    await enqueue_many(
        session,
        [
            NewMessage(
                EMAIL_TOPIC,
                f"email:ombudsman:{case.id}:{event.seq}:{address}"[:200],
                {"to": address, "subject": f"[LAPOR] Ombudsman: {subject}", "body": body},
                case.jurisdiction_id,
                available_at=event.occurred_at,
            )
            for address in dict.fromkeys(a for a in to if a)
        ],
    )
