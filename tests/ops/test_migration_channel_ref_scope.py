"""Migration 0006 keeps every existing complaint and gives old rows the sender it can know."""

import asyncio
import uuid
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.jurisdictions.service import create_jurisdiction
from app.kernel.db import make_engine

_OLD_ROW = text(
    """
    INSERT INTO complaints (id, jurisdiction_id, tracking_id, channel, channel_detail,
        channel_ref, text, received_at, status, anonymous, confidential, attachments, policy_id,
        verification_due_at, submitted_by, last_seq)
    VALUES (:id, :j, :tracking, :channel, CAST(:detail AS jsonb), 'same-ref', 'Jalan rusak.',
        now(), 'received', false, false, '[]',
        (SELECT id FROM sla_policies WHERE jurisdiction_id = :j), now(), :by, 1)
    """
)


async def _before(url: str, rows: list[dict[str, Any]]) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        session = AsyncSession(bind=conn)
        jurisdiction = await create_jurisdiction(session, "35.21", "Ngawi", "Asia/Jakarta")
        await session.flush()
        for row in rows:
            await conn.execute(_OLD_ROW, row | {"j": jurisdiction.id})
    await engine.dispose()


async def _after(url: str) -> tuple[list[Any], str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT id, submitted_by FROM complaints ORDER BY tracking_id"))
        ).all()
        index = (
            await conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                {"n": "uq_complaints_sender_channel_ref"},
            )
        ).scalar_one()
    await engine.dispose()
    return list(rows), str(index)


def test_0006_keeps_old_rows_and_derives_their_sender(scratch_url: str) -> None:
    url = scratch_url
    migrate.upgrade(url, "0005")
    account, app = uuid.uuid4(), uuid.uuid4()
    rows = [
        # A social message from before the account was its sender of record.
        {"channel": "social_media", "detail": f'{{"account_id": "{account}"}}', "by": None},
        {"channel": "sms_1708", "detail": "{}", "by": None},  # sender unknown
        {"channel": "mobile_app", "detail": "{}", "by": app},
    ]
    rows = [r | {"id": uuid.uuid4(), "tracking": f"LPR-OLD{n}"} for n, r in enumerate(rows)]
    asyncio.run(_before(url, rows))
    migrate.upgrade(url, "head")
    after, index = asyncio.run(_after(url))
    assert [(r.id, r.submitted_by) for r in after] == [
        (rows[0]["id"], account),
        (rows[1]["id"], None),
        (rows[2]["id"], app),
    ]
    assert "(jurisdiction_id, channel, submitted_by, channel_ref)" in index
    assert "WHERE (channel_ref IS NOT NULL)" in index
    # No two senders share a reference yet, so the way back is open too.
    command.downgrade(migrate.alembic_config(url), "0005")
