"""Builds a small world: two jurisdictions, agencies, and one caller of every role."""

import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import User
from app.jurisdictions.service import create_jurisdiction
from app.kernel.config import Settings
from app.routing.models import Agency, Category

PASSWORD = "correct horse battery staple"


@lru_cache
def _password_hash() -> str:
    # Hashing once per run keeps argon2's deliberate slowness out of every test.
    return accounts.hash_password(PASSWORD)


@dataclass
class World:
    jurisdiction_id: uuid.UUID
    other_jurisdiction_id: uuid.UUID
    agencies: dict[str, uuid.UUID]
    categories: dict[str, uuid.UUID]
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        """Authorization header for a caller by name (e.g. 'admin', 'liaison_other')."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


async def _user(
    session: AsyncSession,
    settings: Settings,
    world: World,
    name: str,
    role: str,
    jurisdiction_id: uuid.UUID,
    agency_id: uuid.UUID | None = None,
) -> None:
    user = User(
        jurisdiction_id=jurisdiction_id,
        username=f"{name}.{jurisdiction_id.hex[:6]}",
        password_hash=_password_hash(),
        role=role,
        agency_id=agency_id,
        display_name=name,
    )
    session.add(user)
    await session.flush()
    world.tokens[name] = accounts.issue_token(settings, user)[0]
    world.ids[name] = user.id


async def _client(
    session: AsyncSession,
    world: World,
    name: str,
    role: str,
    jurisdiction_id: uuid.UUID,
    agency_id: uuid.UUID | None = None,
) -> None:
    client, key = await accounts.create_client(session, jurisdiction_id, name, role, agency_id)
    world.tokens[name] = key.token
    world.ids[name] = client.id


async def make_world(session: AsyncSession, settings: Settings) -> World:
    ngawi = await create_jurisdiction(session, "35.21", "Kabupaten Ngawi", "Asia/Jakarta")
    kupang = await create_jurisdiction(session, "53.71", "Kota Kupang", "Asia/Makassar")
    agencies: dict[str, Any] = {}
    for code, name in [
        ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("DLH", "Dinas Lingkungan Hidup"),
        ("DINSOS", "Dinas Sosial"),
    ]:
        agencies[code] = Agency(jurisdiction_id=ngawi.id, code=code, name=name, kind="dinas")
    agencies["KUPANG-PU"] = Agency(
        jurisdiction_id=kupang.id, code="PU", name="Dinas PU Kota Kupang", kind="dinas"
    )
    session.add_all(agencies.values())
    await session.flush()
    road = Category(
        jurisdiction_id=ngawi.id,
        code="jalan",
        name="Jalan rusak",
        default_agency_id=agencies["DPUPR"].id,
        default_type="field_inspection",
    )
    session.add(road)
    await session.flush()
    world = World(
        jurisdiction_id=ngawi.id,
        other_jurisdiction_id=kupang.id,
        agencies={k: a.id for k, a in agencies.items()},
        categories={"jalan": road.id},
    )
    j = ngawi.id
    await _user(session, settings, world, "admin", "admin", j)
    await _user(session, settings, world, "supervisor", "supervisor", j)
    await _user(session, settings, world, "liaison", "liaison", j, agencies["DPUPR"].id)
    await _user(session, settings, world, "liaison_other", "liaison", j, agencies["DLH"].id)
    await _user(session, settings, world, "operator", "operator", j)
    await _user(session, settings, world, "operator_other", "operator", j)
    await _user(session, settings, world, "narahubung", "ombudsman_liaison", j)
    await _client(session, world, "citizen_app", "citizen_app", j)
    await _client(session, world, "citizen_app_other", "citizen_app", j)
    await _client(session, world, "hub", "hub", j)
    await _client(session, world, "gateway", "channel_gateway", j)
    await _client(session, world, "agency_system", "agency_system", j, agencies["DPUPR"].id)
    await _user(session, settings, world, "admin_kupang", "admin", kupang.id)
    await _client(session, world, "citizen_app_kupang", "citizen_app", kupang.id)
    return world
