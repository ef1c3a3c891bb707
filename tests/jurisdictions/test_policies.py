"""SLA policy versions through the API: a new version applies from its date and never moves the
deadline of a complaint verified before."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.jurisdictions import policies
from app.jurisdictions import service as jurisdictions
from app.jurisdictions.models import JurisdictionEvent, SlaPolicy
from app.jurisdictions.schemas import PolicyIn
from tests.complaints.support import NGAWI, assert_error, create, fields_named, ok
from tests.factories import World

DAYS = {
    "information_days": 3,
    "non_field_days": 7,
    "field_inspection_days": 30,
    "verification_days": 2,
    "needs_info_days": 4,
    "auto_close_days": 5,
}


def _today() -> date:
    return NGAWI.local_date(datetime.now(UTC))


def _body(effective_from: date, **changes: Any) -> dict[str, Any]:
    return {
        "effective_from": effective_from.isoformat(),
        "legal_basis": "Perbup Ngawi No. 12 Tahun 2026",
        **DAYS,
        **changes,
    }


async def _post(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], who: str = "admin"
) -> httpx.Response:
    return await client.post("/v1/policies", json=body, headers=world.h(who))


async def _created(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> dict[str, Any]:
    response = await _post(client, world, body)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


async def _verified(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    c = await create(client, world)
    agency = str(world.agencies["DPUPR"])
    return await ok(
        client, world, "admin", c["id"], "verify", {"type": "non_field", "agency_id": agency}
    )


async def _read(client: httpx.AsyncClient, world: World, cid: str) -> dict[str, Any]:
    response = await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def _due(verified: dict[str, Any], days: int, unit: str = "working_days") -> datetime:
    start = datetime.fromisoformat(verified["verified_at"])
    return NGAWI.add_days(start, days, unit)  # type: ignore[arg-type]


async def test_a_new_version_never_moves_a_deadline_and_applies_from_its_date(
    client: httpx.AsyncClient, world: World
) -> None:
    # Verified under version 1 (the default: 14 working days for non_field).
    a = await _verified(client, world)
    assert a["policy"]["version"] == 1
    assert datetime.fromisoformat(a["due_at"]) == _due(a, 14)

    # Version 2 from tomorrow: not yet in force, so today's verification still gets version 1.
    v2 = await _created(client, world, _body(_today() + timedelta(days=1), non_field_days=7))
    assert (v2["version"], v2["in_force"]) == (2, False)
    b = await _verified(client, world)
    assert b["policy"]["version"] == 1
    assert datetime.fromisoformat(b["due_at"]) == _due(b, 14)

    # Version 3 from today, in calendar days: complaints verified from now on get it.
    v3 = await _created(
        client, world, _body(_today(), unit="calendar_days", non_field_days=20, needs_info_days=2)
    )
    assert (v3["version"], v3["in_force"]) == (3, True)
    c = await _verified(client, world)
    assert c["policy"] == {"id": v3["id"], "version": 3, "unit": "calendar_days", "days": 20}
    assert datetime.fromisoformat(c["due_at"]) == _due(c, 20, "calendar_days")

    # The earlier complaints keep their version and their deadline, to the microsecond.
    for before in (a, b):
        now = await _read(client, world, before["id"])
        assert now["due_at"] == before["due_at"]
        assert now["policy"]["version"] == 1
    # ...and their version's other limits: asking for information gives version 1's 10 days.
    paused = await ok(client, world, "admin", a["id"], "request-info", {"message": "Foto?"})
    events = await client.get(f"/v1/complaints/{a['id']}/events", headers=world.h("admin"))
    asked = datetime.fromisoformat(events.json()["items"][-1]["occurred_at"])
    assert datetime.fromisoformat(paused["info_due_at"]) == NGAWI.add_days(asked, 10)


async def test_versions_are_listed_newest_first_with_todays_flagged(
    client: httpx.AsyncClient, world: World
) -> None:
    later = await _created(client, world, _body(_today() + timedelta(days=30)))
    listed = await client.get("/v1/policies", headers=world.h("supervisor"))
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(p["version"], p["in_force"]) for p in items] == [(2, False), (1, True)]
    assert items[0] == later
    assert items[1]["effective_from"] == "2000-01-01"
    assert (items[1]["unit"], items[1]["non_field_days"], items[1]["auto_close_days"]) == (
        "working_days",
        14,
        10,
    )
    one = await client.get(f"/v1/policies/{later['id']}", headers=world.h("liaison"))
    assert one.status_code == 200, one.text
    assert one.json() == later
    assert one.json()["legal_basis"] == "Perbup Ngawi No. 12 Tahun 2026"


async def test_creating_a_version_records_who_did_it_in_the_same_transaction(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    v2 = await _created(client, world, _body(_today() + timedelta(days=3)))
    async with sessions() as session:
        events = (await session.scalars(select(JurisdictionEvent))).all()
    assert len(events) == 1
    event = events[0]
    assert (event.type, event.jurisdiction_id) == ("policy_created", world.jurisdiction_id)
    assert event.actor["id"] == str(world.ids["admin"])
    assert event.data["policy_id"] == v2["id"]
    assert event.data["non_field_days"] == DAYS["non_field_days"]


async def test_an_effective_date_in_the_past_gets_422_and_writes_nothing(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await _post(client, world, _body(_today() - timedelta(days=1)))
    error = assert_error(response, 422, "effective_from_in_past")
    assert fields_named(error) == {"effective_from"}
    async with sessions() as session:
        assert len((await session.scalars(select(SlaPolicy))).all()) == 2  # v1 of each district
        assert (await session.scalars(select(JurisdictionEvent))).all() == []


async def test_a_second_version_on_the_same_date_gets_409(
    client: httpx.AsyncClient, world: World
) -> None:
    day = _today() + timedelta(days=5)
    await _created(client, world, _body(day))
    error = assert_error(await _post(client, world, _body(day, information_days=4)), 409)
    assert error["code"] == "policy_date_taken"
    assert fields_named(error) == {"effective_from"}
    # Another district's calendar of versions is its own.
    assert (await _post(client, world, _body(day), who="admin_kupang")).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"information_days": 0}, "information_days"),
        ({"non_field_days": -3}, "non_field_days"),
        ({"field_inspection_days": 366}, "field_inspection_days"),
        ({"auto_close_days": "ten"}, "auto_close_days"),
        ({"unit": "hours"}, "unit"),
        ({"effective_from": "2026-13-01"}, "effective_from"),
        ({"effective_from": "2101-01-01"}, "effective_from"),
        ({"legal_basis": "x" * 501}, "legal_basis"),
        ({"verification_days": None}, "verification_days"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_invalid_fields_get_422_naming_them(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], field: str
) -> None:
    body = _body(_today() + timedelta(days=1)) | change
    assert fields_named(assert_error(await _post(client, world, body), 422)) == {field}


async def test_only_admins_create_and_machines_do_not_read(
    client: httpx.AsyncClient, world: World
) -> None:
    body = _body(_today() + timedelta(days=1))
    for who in ("supervisor", "liaison", "operator", "citizen_app"):
        assert_error(await _post(client, world, body, who=who), 403, "role_forbidden")
    for who in ("agency_system", "hub", "citizen_app"):
        listed = await client.get("/v1/policies", headers=world.h(who))
        assert_error(listed, 403, "role_forbidden")
    assert_error(await client.get("/v1/policies"), 401)


async def test_another_districts_version_is_404(client: httpx.AsyncClient, world: World) -> None:
    mine = await _created(client, world, _body(_today() + timedelta(days=2)))
    theirs = await client.get(f"/v1/policies/{mine['id']}", headers=world.h("admin_kupang"))
    assert_error(theirs, 404, "policy_not_found")
    missing = await client.get(f"/v1/policies/{uuid.uuid4()}", headers=world.h("admin"))
    assert_error(missing, 404, "policy_not_found")


async def test_the_same_idempotency_key_replays_the_first_version(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = _body(_today() + timedelta(days=1))
    headers = world.h("admin") | {"Idempotency-Key": "policy-2027"}
    first = await client.post("/v1/policies", json=body, headers=headers)
    again = await client.post("/v1/policies", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    async with sessions() as session:
        rows = await session.scalars(
            select(SlaPolicy).where(SlaPolicy.jurisdiction_id == world.jurisdiction_id)
        )
        assert len(rows.all()) == 2


async def test_a_version_missing_from_a_stale_cached_context_is_loaded(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        stale = await jurisdictions.load_context(session, world.jurisdiction_id)
    v2 = await _created(client, world, _body(_today(), non_field_days=9))
    c = await _verified(client, world)

    # As in a second API process: a context cached just before version 2 was made, still fresh
    # by its age, while the complaint names version 2.
    async def old(_: object) -> jurisdictions.JurisdictionContext:
        return stale

    jurisdictions.invalidate(world.jurisdiction_id)
    await jurisdictions._cache.get(world.jurisdiction_id, old)
    read = await _read(client, world, c["id"])
    assert read["policy"] == {"id": v2["id"], "version": 2, "unit": "working_days", "days": 9}


async def test_two_admins_racing_for_one_date_get_one_version_and_one_409(
    client: httpx.AsyncClient, world: World
) -> None:
    day = _today() + timedelta(days=7)
    answers = await asyncio.gather(
        _post(client, world, _body(day, information_days=4)),
        _post(client, world, _body(day, information_days=6)),
        _post(client, world, _body(day + timedelta(days=1))),
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201, 201, 409], [r.text for r in answers]
    listed = await client.get("/v1/policies", headers=world.h("admin"))
    assert sorted(p["version"] for p in listed.json()["items"]) == [1, 2, 3]


async def test_creating_a_version_does_not_hold_up_intake(
    world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # While one admin's new version is uncommitted, the foreign-key lock every intake takes on
    # the jurisdiction's row (KEY SHARE) is still granted at once.
    async with sessions() as creating, creating.begin():
        actor = {"kind": "user", "id": str(world.ids["admin"]), "role": "admin", "name": "a"}
        body = PolicyIn.model_validate(_body(_today() + timedelta(days=1)))
        await policies.create_policy(
            creating, world.jurisdiction_id, actor, body, datetime.now(UTC)
        )
        async with sessions() as intake, intake.begin():
            granted = await intake.scalar(
                text("SELECT id FROM jurisdictions WHERE id = :j FOR KEY SHARE NOWAIT"),
                {"j": world.jurisdiction_id},
            )
        assert granted == world.jurisdiction_id
        await creating.rollback()
