"""The identity access log as the tests read it: straight from the table."""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def access_rows(
    sessions: async_sessionmaker[AsyncSession], complaint_id: uuid.UUID | str | None = None
) -> list[dict[str, Any]]:
    """Every access-log row (of one complaint, when given), oldest first."""
    sql = (
        "SELECT complaint_id, actor_kind, actor_id, actor_role, actor_name, action, purpose,"
        " fields FROM identity_access_log"
    )
    params: dict[str, Any] = {}
    if complaint_id is not None:
        sql += " WHERE complaint_id = :cid"
        params["cid"] = uuid.UUID(str(complaint_id))
    async with sessions() as s:
        rows = (await s.execute(text(sql + " ORDER BY occurred_at, id"), params)).mappings()
        return [dict(r) for r in rows]
