"""/v1/clients: an admin manages the machine callers of the jurisdiction and their API keys."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from app.accounts import clients
from app.accounts.keys import NewKey
from app.accounts.models import ApiKey
from app.kernel.deps import DB, Now
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, responses
from app.kernel.security import ADMIN, Allow, Principal
from app.kernel.validation import StrictModel

router = APIRouter(prefix="/v1/clients", tags=["clients"])

Admin = Annotated[Principal, Depends(Allow(ADMIN))]
AUTH = (Unauthorized, Forbidden)
Prefix = Annotated[str, Path(pattern=r"^[a-z2-9]{12}$")]


class ClientIn(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Literal["citizen_app", "hub", "channel_gateway", "agency_system"]
    agency_id: uuid.UUID | None = Field(None, description="agency_system only: its agency")


class KeyOut(BaseModel):
    prefix: str
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class NewKeyOut(BaseModel):
    client_id: uuid.UUID
    prefix: str
    key: str = Field(description="shown this once; only its hash is stored")


class ClientOut(BaseModel):
    id: uuid.UUID
    name: str
    role: str
    agency_id: uuid.UUID | None
    active: bool
    keys: list[KeyOut]


class ClientCreated(ClientOut):
    key: str = Field(description="shown this once; only its hash is stored")


class ClientPage(BaseModel):
    items: list[ClientOut]
    next_cursor: str | None


def _key_out(k: ApiKey) -> KeyOut:
    return KeyOut(
        prefix=k.prefix,
        created_at=k.created_at,
        expires_at=k.expires_at,
        revoked_at=k.revoked_at,
        last_used_at=k.last_used_at,
    )


@router.post("", status_code=201, response_model=ClientCreated, responses=responses(*AUTH, Invalid))
async def create_client(body: ClientIn, principal: Admin, db: DB) -> ClientCreated:
    """A machine client with its first key, shown once."""
    client, key = await clients.create(
        db, principal.jurisdiction_id, body.name, body.role, body.agency_id
    )
    return ClientCreated(
        id=client.id,
        name=client.name,
        role=client.role,
        agency_id=client.agency_id,
        active=True,
        keys=[
            KeyOut(
                prefix=key.prefix,
                created_at=None,
                expires_at=None,
                revoked_at=None,
                last_used_at=None,
            )
        ],
        key=key.token,
    )


@router.get("", response_model=ClientPage, responses=responses(*AUTH, Invalid))
async def list_clients(
    principal: Admin,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: uuid.UUID | None = None,
) -> ClientPage:
    """The jurisdiction's machine clients and their keys (prefixes only, never secrets)."""
    rows = await clients.list_page(db, principal.jurisdiction_id, limit, cursor)
    page = rows[:limit]
    items = [
        ClientOut(
            id=r.client.id,
            name=r.client.name,
            role=r.client.role,
            agency_id=r.client.agency_id,
            active=r.client.active,
            keys=[_key_out(k) for k in r.keys],
        )
        for r in page
    ]
    more = len(rows) > limit
    return ClientPage(items=items, next_cursor=str(page[-1].client.id) if more else None)


def _new_key_out(client_id: uuid.UUID, key: NewKey) -> NewKeyOut:
    return NewKeyOut(client_id=client_id, prefix=key.prefix, key=key.token)


@router.post(
    "/{client_id}/keys",
    status_code=201,
    response_model=NewKeyOut,
    responses=responses(*AUTH, NotFound, Conflict),
)
async def rotate_key(client_id: uuid.UUID, principal: Admin, db: DB, now: Now) -> NewKeyOut:
    """Rotation: a second live key beside the current one (at most two live keys)."""
    key = await clients.rotate(db, principal.jurisdiction_id, client_id, now)
    return _new_key_out(client_id, key)


@router.post(
    "/{client_id}/keys/{prefix}/revoke",
    response_model=KeyOut,
    responses=responses(*AUTH, NotFound, Invalid),
)
async def revoke_key(
    client_id: uuid.UUID, prefix: Prefix, principal: Admin, db: DB, request: Request, now: Now
) -> KeyOut:
    """Revoke a key: refused at once by this process, by others within 10 seconds."""
    key = await clients.revoke(db, principal.jurisdiction_id, client_id, prefix, now)
    await db.commit()  # commit before forgetting the cache, so no request re-caches the key
    request.app.state.api_keys.forget()
    return _key_out(key)
