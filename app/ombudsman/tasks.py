"""The Ombudsman cases' topic: each step's reminder before and escalation after its deadline,
each fired once (the dedupe key makes the row one; the step's state makes it act once)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.jurisdictions.service import load_context
from app.kernel.security import SYSTEM_ACTOR
from app.ombudsman import events, steps
from app.ombudsman.fanout import EVENT_TOPIC, CaseSubscriber, fan_out
from app.ombudsman.models import OmbudsmanCase, OmbudsmanStep
from app.outbox.engine import Message, Policy, Topic


async def fire(session: AsyncSession, payload: dict[str, Any], now: datetime) -> str | None:
    """Apply one timer in the worker's transaction; returns the event raised, if any."""
    case = await session.scalar(
        select(OmbudsmanCase)
        .where(OmbudsmanCase.id == uuid.UUID(payload["case_id"]))
        .with_for_update()
    )
    step = await session.get(OmbudsmanStep, uuid.UUID(payload["step_id"]))
    if case is None or step is None:
        return None
    kind, due = payload["kind"], datetime.fromisoformat(payload["due"])
    if not steps.could_fire(kind, due, step.kind, step.state, step.due_at, case.stage):
        return None
    data = {"step_id": str(step.id), "kind": step.kind, "due_at": payload["due"]}
    if kind == "reminder":
        if now > due:  # the worker was down past the deadline: the escalation says it all
            return None
        event = await events.append_event(session, case, "due_soon", SYSTEM_ACTOR, now, data, step)
        ctx = await load_context(session, case.jurisdiction_id)
        liaison = await events.liaison_email(session, step.owner_agency_id, ctx.calendar, now)
        to = [
            liaison["email"] if liaison else None,
            *await events.narahubung(session, case.jurisdiction_id),
        ]
        await events.mail(session, case, event, to, f"pengingat batas waktu ({case.letter_number})")
        return "due_soon"
    await events.append_event(session, case, "overdue", SYSTEM_ACTOR, now, data, step)
    event = await events.append_event(
        session,
        case,
        "escalated",
        SYSTEM_ACTOR,
        now,
        {**data, "to": list(steps.ESCALATE_TO)},
        step,
    )
    supervisors: list[str | None] = list(await events.escalation_emails(session, case, step))
    await events.mail(
        session, case, event, supervisors, f"batas waktu terlampaui ({case.letter_number})"
    )
    return "escalated"


def topics(policy: Policy, subscribers: Sequence[CaseSubscriber]) -> list[Topic]:
    """The timers and the event fan-out: database only, so each runs exactly once."""

    async def handle(session: AsyncSession, row: Message) -> None:
        await fire(session, row.payload, row.now)

    return [
        Topic(events.TIMER_TOPIC, policy, handle=handle),
        Topic(EVENT_TOPIC, policy, handle=fan_out(subscribers)),
    ]
