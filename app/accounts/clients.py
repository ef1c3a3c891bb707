"""Machine clients of one jurisdiction: create, list, rotate and revoke their API keys.

Every function is scoped to the admin's jurisdiction: a client of another one is "not found".
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service
from app.accounts.keys import NewKey
from app.accounts.models import ApiKey, Client
from app.kernel.errors import Conflict, Invalid, NotFound
from app.routing.service import active_agency

MAX_LIVE_KEYS = 2


class ClientNotFound(NotFound):
    code = "client_not_found"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


@dataclass(frozen=True)
class ClientWithKeys:
    client: Client
    keys: list[ApiKey]


async def create(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    name: str,
    role: str,
    agency_id: uuid.UUID | None,
) -> tuple[Client, NewKey]:
    """A machine client and its first key (the key is returned once, never stored)."""
    if (role == "agency_system") != (agency_id is not None):
        raise Invalid.field("agency_id", "An agency system, and only it, belongs to an agency.")
    if agency_id is not None:
        await active_agency(session, jurisdiction_id, agency_id)
    return await service.create_client(session, jurisdiction_id, name, role, agency_id)


async def _locked(
    session: AsyncSession, jurisdiction_id: uuid.UUID | None, client_id: uuid.UUID
) -> Client:
    # jurisdiction_id None: the command line, which acts for the whole installation.
    stmt = select(Client).where(Client.id == client_id)
    if jurisdiction_id is not None:
        stmt = stmt.where(Client.jurisdiction_id == jurisdiction_id)
    client = await session.scalar(stmt.with_for_update())
    if client is None:
        raise ClientNotFound("No such client.")
    return client


async def rotate(
    session: AsyncSession, jurisdiction_id: uuid.UUID | None, client_id: uuid.UUID, now: datetime
) -> NewKey:
    """A second live key; the client row lock makes "at most two live keys" hold under races."""
    await _locked(session, jurisdiction_id, client_id)
    live = await session.scalar(
        select(func.count()).select_from(ApiKey).where(ApiKey.client_id == client_id, _live(now))
    )
    if (live or 0) >= MAX_LIVE_KEYS:
        raise Conflict(
            "This client has two live keys already; revoke the old one first.",
            code="too_many_live_keys",
        )
    return await service.issue_key(session, client_id)


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(
        ApiKey.revoked_at.is_(None),
        or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
    )


async def revoke(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    client_id: uuid.UUID,
    prefix: str,
    now: datetime,
) -> ApiKey:
    """Revoke one live key of the client; it stops working at once in this process."""
    await _locked(session, jurisdiction_id, client_id)
    key: ApiKey | None = await session.scalar(
        update(ApiKey)
        .where(ApiKey.client_id == client_id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiKey)
    )
    if key is None:
        raise ApiKeyNotFound("The client has no live key with that prefix.")
    return key


async def list_page(
    session: AsyncSession, jurisdiction_id: uuid.UUID, limit: int, after: uuid.UUID | None
) -> list[ClientWithKeys]:
    """Clients ordered by id (keyset), each with all its keys, newest key first."""
    stmt = select(Client).where(Client.jurisdiction_id == jurisdiction_id)
    if after is not None:
        stmt = stmt.where(Client.id > after)
    clients = list((await session.scalars(stmt.order_by(Client.id).limit(limit + 1))).all())
    keys = (
        await session.scalars(
            select(ApiKey)
            .where(ApiKey.client_id.in_([c.id for c in clients]))
            .order_by(ApiKey.created_at.desc())
        )
    ).all()
    by_client: dict[uuid.UUID, list[ApiKey]] = {}
    for k in keys:
        by_client.setdefault(k.client_id, []).append(k)
    return [ClientWithKeys(c, by_client.get(c.id, [])) for c in clients]
