"""Migration 0023 gives complaints that were verified before it their working-day spans, as the
reports worked them out (the jurisdiction's calendar with its overrides, local dates), and the
way back drops the columns and keeps every complaint."""

import asyncio
import uuid
from datetime import datetime
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.jurisdictions.service import create_jurisdiction
from app.kernel.db import make_engine

_OLD_ROW = text(
    """
    INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail, text,
        received_at, verified_at, acknowledged_at, responded_at, status, anonymous,
        confidential, attachments, policy_id, verification_due_at, last_seq)
    VALUES (:id, :j, :tracking, 'web', '{}', 'Jalan rusak.', :received, :verified, :acknowledged,
        :responded, :status, false, false, '[]',
        (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), :received, 1)
    """
)
# Kupang (WITA): received Friday 18 December 2026 23:30 local (15:30 UTC), verified Monday 21st
# (a regional day off there), acknowledged Wednesday 23rd, answered Monday 28th after Christmas
# (Friday 25th) and its cuti bersama (Thursday 24th).
_ROWS: list[dict[str, Any]] = [
    {
        "tracking": "LPR-SPAN1",
        "status": "responded",
        "received": "2026-12-18T15:30:00Z",
        "verified": "2026-12-21T02:00:00Z",
        "acknowledged": "2026-12-23T02:00:00Z",
        "responded": "2026-12-28T02:00:00Z",
    },
    {
        "tracking": "LPR-SPAN2",
        "status": "received",
        "received": "2026-12-18T15:30:00Z",
        "verified": None,
        "acknowledged": None,
        "responded": None,
    },
]


async def _before(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        session = AsyncSession(bind=conn)
        kupang = await create_jurisdiction(session, "53.71", "Kota Kupang", "Asia/Makassar")
        await session.flush()
        await conn.execute(
            text(
                "INSERT INTO calendar_overrides (jurisdiction_id, day, kind, name)"
                " VALUES (:j, '2026-12-22', 'holiday', 'Hari Jadi')"
            ),
            {"j": kupang.id},
        )
        for row in _ROWS:
            times = {
                k: None if row[k] is None else datetime.fromisoformat(row[k])
                for k in ("received", "verified", "acknowledged", "responded")
            }
            await conn.execute(
                _OLD_ROW,
                {"id": uuid.uuid4(), "j": kupang.id, "tracking": row["tracking"]}
                | {"status": row["status"]}
                | times,
            )
    await engine.dispose()


async def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        found = [tuple(r) for r in await conn.execute(text(sql))]
    await engine.dispose()
    return found


_SPANS = (
    "SELECT tracking_id, verify_days, acknowledge_days, respond_days FROM complaints"
    " ORDER BY tracking_id"
)


def test_0023_backfills_spans_in_the_local_calendar_and_downgrades(scratch_url: str) -> None:
    migrate.upgrade(scratch_url, "0022")
    asyncio.run(_before(scratch_url))
    migrate.upgrade(scratch_url, "0023")
    assert asyncio.run(_rows(scratch_url, _SPANS)) == [
        # Friday 18th local to Monday 21st: one working day began (Monday).
        # Monday 21st to Wednesday 23rd: Tuesday 22nd is Kupang's own day off.
        # Monday 21st to Monday 28th: 23rd and 28th (22nd regional, 24th-25th national).
        ("LPR-SPAN1", 1, 1, 2),
        ("LPR-SPAN2", None, None, None),
    ]
    command.downgrade(migrate.alembic_config(scratch_url), "0022")
    assert asyncio.run(_rows(scratch_url, "SELECT count(*) FROM complaints")) == [(2,)]
