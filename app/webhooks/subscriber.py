"""The fan-out subscriber: one delivery per matching endpoint, and one to the callback_url.

Runs inside the worker's fan-out transaction, so the deliveries exist exactly once per event,
each with its `webhook` engine row. The body is built here, once, so every retry sends the very
same bytes.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, any_, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import readmodel
from app.complaints.fanout import EventNotice
from app.complaints.vocabulary import WEBHOOK_EVENTS
from app.ombudsman.fanout import CaseNotice
from app.outbox.service import NewMessage, enqueue_many
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.rules import case_event_body, event_body, message_id

DELIVERY_TOPIC = "webhook"


async def enqueue_deliveries(session: AsyncSession, notice: EventNotice, now: datetime) -> None:
    """Owe this event to every active endpoint that wants it, and to the complaint's callback."""
    if notice.type not in WEBHOOK_EVENTS:
        # Internal steps (a liaison's transfer request, a reporter correction) are not in the
        # contract's event list: no receiver, the complaint's own callback_url included, sees them.
        return
    c = await readmodel.facts(session, notice.complaint_id)
    if c is None:
        return
    msg_id = message_id(notice.complaint_id, notice.seq)
    body = event_body(
        notice.type,
        msg_id,
        notice.occurred_at,
        notice.complaint_id,
        c.tracking_id,
        notice.seq,
        notice.status,
        c.agency_id,
    )
    event_name = f"complaint.{notice.type}"
    endpoints = await _subscribed(
        session,
        notice.jurisdiction_id,
        event_name,
        c.agency_id,
        or_(
            WebhookEndpoint.submitted_by.is_(None),
            WebhookEndpoint.submitted_by == c.submitted_by,
        ),
    )
    rows = [
        _row(
            notice.jurisdiction_id,
            event_name,
            notice.seq,
            f"{eid}:{notice.complaint_id}",
            msg_id,
            body,
            now,
            endpoint_id=eid,
            complaint_id=notice.complaint_id,
        )
        for eid in endpoints
    ]
    if c.callback_url:
        rows.append(
            _row(
                notice.jurisdiction_id,
                event_name,
                notice.seq,
                f"callback:{notice.complaint_id}",
                msg_id,
                body,
                now,
                complaint_id=notice.complaint_id,
                callback_url=c.callback_url,
                signing_client_id=c.submitted_by,
            )
        )
    await _owe(session, rows, notice.jurisdiction_id, notice.seq)


async def _subscribed(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    event_name: str,
    agency_id: uuid.UUID | None,
    client_scope: ColumnElement[bool],
) -> Sequence[uuid.UUID]:
    """The active endpoints of the jurisdiction that want `event_name` about this agency."""
    return (
        await session.scalars(
            select(WebhookEndpoint.id).where(
                WebhookEndpoint.jurisdiction_id == jurisdiction_id,
                WebhookEndpoint.active,
                literal(event_name) == any_(WebhookEndpoint.event_types),
                or_(WebhookEndpoint.agency_id.is_(None), WebhookEndpoint.agency_id == agency_id),
                client_scope,
            )
        )
    ).all()


def receiver_key(endpoint_id: uuid.UUID | None) -> str:
    """The ordering-key prefix of every delivery to one receiver (None: complaint callbacks)."""
    return f"{DELIVERY_TOPIC}:{endpoint_id or 'callback'}:"


def delivery_message(
    delivery_id: Any,
    jurisdiction_id: uuid.UUID,
    complaint_id: uuid.UUID | None,
    seq: int,
    endpoint_id: Any,
    dedupe_key: str,
    case_id: uuid.UUID | None = None,
) -> NewMessage:
    """The engine row that sends one delivery, in order per (receiver, complaint or case)."""
    return NewMessage(
        DELIVERY_TOPIC,
        dedupe_key,
        {"delivery_id": str(delivery_id)},
        jurisdiction_id,
        complaint_id,
        seq,
        ordering_key=f"{receiver_key(endpoint_id)}{complaint_id or case_id}",
    )


def _row(
    jurisdiction_id: uuid.UUID,
    event_type: str,
    seq: int,
    key: str,
    msg_id: str,
    body: dict[str, object],
    now: datetime,
    endpoint_id: uuid.UUID | None = None,
    complaint_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    callback_url: str | None = None,
    signing_client_id: uuid.UUID | None = None,
) -> dict[str, object]:
    """One delivery of an event (a complaint's or a case's) to one receiver, owed from `now`."""
    return {
        "id": uuid.uuid4(),
        "jurisdiction_id": jurisdiction_id,
        "endpoint_id": endpoint_id,
        "complaint_id": complaint_id,
        "ombudsman_case_id": case_id,
        "seq": seq,
        "event_type": event_type,
        "dedupe_key": f"{key}:{seq}",
        "message_id": msg_id,
        "callback_url": callback_url,
        "signing_client_id": signing_client_id,
        "payload": body,
        "status": "pending",
        "attempts": 0,
        "available_at": now,
        "created_at": now,
    }


async def _owe(
    session: AsyncSession, rows: list[dict[str, object]], jurisdiction_id: uuid.UUID, seq: int
) -> None:
    """The deliveries and the engine row that sends each, with one dedupe key: a fan-out
    replayed writes neither twice."""
    if not rows:
        return
    await session.execute(
        insert(WebhookDelivery).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    await enqueue_many(
        session,
        [
            delivery_message(
                r["id"],
                jurisdiction_id,
                cast(uuid.UUID | None, r["complaint_id"]),
                seq,
                r["endpoint_id"],
                f"webhook:{r['dedupe_key']}",
                case_id=cast(uuid.UUID | None, r["ombudsman_case_id"]),
            )
            for r in rows
        ],
    )


async def enqueue_case_deliveries(session: AsyncSession, notice: CaseNotice, now: datetime) -> None:
    """Owe an Ombudsman case event to every active endpoint subscribed to it by name (the
    jurisdiction's, or the reported agency's); client-scoped endpoints follow complaints only."""
    event_name = f"ombudsman.{notice.type}"
    endpoints = await _subscribed(
        session,
        notice.jurisdiction_id,
        event_name,
        notice.agency_id,
        WebhookEndpoint.submitted_by.is_(None),
    )
    msg_id = message_id(notice.case_id, notice.seq)  # case and complaint ids never collide
    body = case_event_body(
        notice.type,
        msg_id,
        notice.occurred_at,
        {
            "case_id": str(notice.case_id),
            "seq": notice.seq,
            "stage": notice.stage,
            "agency_id": str(notice.agency_id),
            "letter_number": notice.letter_number,
            "step_id": str(notice.step_id) if notice.step_id else None,
            "due_at": notice.due_at,
        },
    )
    rows = [
        _row(
            notice.jurisdiction_id,
            event_name,
            notice.seq,
            f"{eid}:ombudsman:{notice.case_id}",
            msg_id,
            body,
            now,
            endpoint_id=eid,
            case_id=notice.case_id,
        )
        for eid in endpoints
    ]
    await _owe(session, rows, notice.jurisdiction_id, notice.seq)
