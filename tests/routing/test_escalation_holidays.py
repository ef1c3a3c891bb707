"""Escalation timing across Idul Fitri 2026 (cuti bersama), on the real timers and outbox."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.complaints import timers
from app.complaints.models import Complaint
from app.jurisdictions.service import load_context
from tests.factories import World

WIB = ZoneInfo("Asia/Jakarta")


async def test_deadline_and_reminder_skip_idul_fitri_and_cuti_bersama(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    created = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": "mhn info jadwal layanan"},
        headers=world.h("citizen_app"),
    )
    cid = uuid.UUID(created.json()["id"])
    # Verified on Monday 16 March 2026, 10:00 WIB, as an information request (5 working days).
    verified = datetime(2026, 3, 16, 10, 0, tzinfo=WIB)
    async with sessions() as session, session.begin():
        ctx = await load_context(session, world.jurisdiction_id)
        c = await session.scalar(select(Complaint).where(Complaint.id == cid))
        assert c is not None
        c.status, c.type, c.verified_at = "dispatched", "information", verified
        c.agency_id = world.agencies["DPUPR"]
        c.due_at = ctx.calendar.add_days(verified, 5, "working_days")
        await timers.schedule_clock(session, c, ctx)
    # Off: 18 (cuti bersama), 19 (Nyepi), 20 (cuti bersama), 21-22 (Idul Fitri, weekend),
    # 23-24 (cuti bersama) March. Working days: 17, 25, 26, 27, 30 March.
    async with sessions() as session:
        rows = dict(
            (
                await session.execute(
                    text(
                        "SELECT payload->>'kind', available_at FROM outbox_messages"
                        " WHERE complaint_id = :c AND topic = 'timer'"
                        " AND payload->>'kind' IN ('due_soon', 'overdue')"
                    ),
                    {"c": cid},
                )
            ).all()
        )
    assert rows["overdue"].astimezone(WIB) == datetime(2026, 3, 30, 23, 59, 59, 999999, tzinfo=WIB)
    # The reminder comes on the last working day before the due day: Friday 27 March, 08:00.
    assert rows["due_soon"].astimezone(WIB) == datetime(2026, 3, 27, 8, 0, tzinfo=WIB)
