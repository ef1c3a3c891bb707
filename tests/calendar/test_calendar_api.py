"""The calendar endpoints: holidays, the jurisdiction's overrides, and the deadline answer."""

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendar.workdays import CalendarOverride
from app.jurisdictions import service as jurisdictions
from tests.complaints.support import assert_error, fields_named
from tests.factories import World


async def _deadline(
    client: httpx.AsyncClient, world: World, who: str = "admin", **query: Any
) -> httpx.Response:
    return await client.get("/v1/calendar/deadline", params=query, headers=world.h(who))


async def _due(
    client: httpx.AsyncClient, world: World, who: str = "admin", **query: Any
) -> datetime:
    response = await _deadline(client, world, who, **query)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["due_at"])


async def test_holidays_of_2025_include_cuti_bersama_and_idul_fitri(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/v1/calendar/holidays", params={"year": 2025}, headers=world.h("liaison")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "Asia/Jakarta"
    by_day = {h["date"]: h for h in body["items"]}
    assert by_day["2025-08-18"]["source"] == "cuti_bersama"
    assert by_day["2025-08-17"]["source"] == "national"
    assert by_day["2025-03-31"]["source"] == "national"  # Idul Fitri 1446 H
    assert by_day["2025-04-01"]["source"] == "national"
    for day in ["2025-04-02", "2025-04-03", "2025-04-04", "2025-04-07"]:
        assert by_day[day]["source"] == "cuti_bersama"
    assert [h["date"] for h in body["items"]] == sorted(by_day)


async def test_holidays_of_2026_carry_their_indonesian_name_beside_the_english_one(
    client: httpx.AsyncClient, world: World
) -> None:
    put = await client.put(
        "/v1/calendar/overrides/2026-07-07",
        json={"date": "2026-07-07", "kind": "holiday", "name": "Hari Jadi Kabupaten Ngawi"},
        headers=world.h("admin"),
    )
    assert put.status_code == 200, put.text
    response = await client.get(
        "/v1/calendar/holidays", params={"year": 2026}, headers=world.h("supervisor")
    )
    assert response.status_code == 200, response.text
    by_day = {h["date"]: (h["name_id"], h["name"], h["source"]) for h in response.json()["items"]}
    assert by_day["2026-08-17"] == (
        "Hari Kemerdekaan Republik Indonesia",
        "Independence Day",
        "national",
    )
    assert by_day["2026-03-19"] == ("Hari Suci Nyepi", "Day of Silence", "national")
    assert by_day["2026-03-21"] == ("Hari Raya Idul Fitri", "Eid al-Fitr", "national")
    assert by_day["2026-03-20"] == (
        "Cuti Bersama Hari Raya Idul Fitri",
        "Eid al-Fitr Joint Holiday",
        "cuti_bersama",
    )
    # The jurisdiction's own day keeps its own name in both fields.
    name = "Hari Jadi Kabupaten Ngawi"
    assert by_day["2026-07-07"] == (name, name, "regional")


@pytest.mark.parametrize("year", ["1999", "2101", "soon"])
async def test_holidays_outside_the_supported_years_get_422(
    client: httpx.AsyncClient, world: World, year: str
) -> None:
    response = await client.get(
        "/v1/calendar/holidays", params={"year": year}, headers=world.h("admin")
    )
    assert fields_named(assert_error(response, 422)) == {"year"}


async def test_deadline_counts_from_the_local_date_in_wib(
    client: httpx.AsyncClient, world: World
) -> None:
    # 17:30 UTC on Thursday 14 August 2025 is already Friday 15 August in Ngawi (WIB).
    # Monday 18 August is cuti bersama: five working days end on Monday 25 August.
    response = await _deadline(client, world, **{"from": "2025-08-14T17:30:00Z", "working_days": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["due_at"]) == datetime(
        2025, 8, 25, 16, 59, 59, 999_999, tzinfo=UTC
    )
    assert body["timezone"] == "Asia/Jakarta"
    assert body["working_days"] == 5
    assert body["policy_version"] is None
    # The same instant taken as a UTC date would have ended on Friday 22 August.
    earlier = await _due(client, world, **{"from": "2025-08-14T16:30:00Z", "working_days": 5})
    assert earlier == datetime(2025, 8, 22, 16, 59, 59, 999_999, tzinfo=UTC)


async def test_deadline_counts_from_the_local_date_in_wita(
    client: httpx.AsyncClient, world: World
) -> None:
    # 16:30 UTC on 14 August is 00:30 WITA on 15 August in Kupang; the deadline ends at
    # 23:59:59.999999 WITA (15:59:59.999999 UTC) on Monday 25 August.
    due = await _due(
        client, world, "admin_kupang", **{"from": "2025-08-14T16:30:00Z", "working_days": 5}
    )
    assert due == datetime(2025, 8, 25, 15, 59, 59, 999_999, tzinfo=UTC)
    response = await _deadline(
        client, world, "admin_kupang", **{"from": "2025-08-14T16:30:00Z", "working_days": 5}
    )
    assert response.json()["timezone"] == "Asia/Makassar"


async def test_deadline_by_type_uses_the_policy_days(
    client: httpx.AsyncClient, world: World
) -> None:
    # Fourteen working days from Friday 15 August 2025 (WIB), skipping the cuti bersama of 18
    # August and Maulid Nabi on Friday 5 September: 19-22, 25-29 August, 1-4 and 8 September.
    response = await _deadline(
        client, world, **{"from": "2025-08-14T17:30:00Z", "type": "non_field"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["working_days"] == 14
    assert body["unit"] == "working_days"
    assert body["policy_version"] == 1
    assert datetime.fromisoformat(body["due_at"]) == datetime(
        2025, 9, 8, 16, 59, 59, 999_999, tzinfo=UTC
    )
    wita = await _due(
        client, world, "admin_kupang", **{"from": "2025-08-14T16:30:00Z", "type": "non_field"}
    )
    assert wita == datetime(2025, 9, 8, 15, 59, 59, 999_999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-08-14T17:30:00Z"}, "working_days"),
        ({"from": "2025-08-14T17:30:00Z", "working_days": 5, "type": "non_field"}, "working_days"),
        ({"from": "2025-08-14T17:30:00", "working_days": 5}, "from"),
        ({"working_days": -1}, "working_days"),
        ({"type": "urgent"}, "type"),
    ],
)
async def test_bad_deadline_query_gets_422(
    client: httpx.AsyncClient, world: World, query: dict[str, Any], field: str
) -> None:
    assert field in fields_named(assert_error(await _deadline(client, world, **query), 422))


async def test_overrides_change_the_deadline_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    query = {"from": "2025-08-14T17:30:00Z", "working_days": 5}
    assert await _due(client, world, **query) == datetime(
        2025, 8, 25, 16, 59, 59, 999_999, tzinfo=UTC
    )
    # Ngawi makes Wednesday 20 August a regional day off: one more day to go.
    put = await client.put(
        "/v1/calendar/overrides/2025-08-20",
        json={"date": "2025-08-20", "kind": "holiday", "name": "Hari Jadi (contoh)"},
        headers=world.h("admin"),
    )
    assert put.status_code == 200, put.text
    assert await _due(client, world, **query) == datetime(
        2025, 8, 26, 16, 59, 59, 999_999, tzinfo=UTC
    )
    # ...and works on the cuti bersama of 18 August instead: back to Monday 25 August.
    worked = await client.put(
        "/v1/calendar/overrides/2025-08-18",
        json={"date": "2025-08-18", "kind": "working_day", "name": "Masuk kerja"},
        headers=world.h("admin"),
    )
    assert worked.status_code == 200, worked.text
    assert await _due(client, world, **query) == datetime(
        2025, 8, 25, 16, 59, 59, 999_999, tzinfo=UTC
    )
    listed = await client.get("/v1/calendar/overrides", headers=world.h("liaison"))
    assert [(o["date"], o["kind"]) for o in listed.json()] == [
        ("2025-08-18", "working_day"),
        ("2025-08-20", "holiday"),
    ]
    holidays = await client.get(
        "/v1/calendar/holidays", params={"year": 2025}, headers=world.h("admin")
    )
    days = {h["date"]: h["source"] for h in holidays.json()["items"]}
    assert days["2025-08-20"] == "regional"
    assert "2025-08-18" not in days
    for day in ["2025-08-18", "2025-08-20"]:
        deleted = await client.delete(f"/v1/calendar/overrides/{day}", headers=world.h("admin"))
        assert deleted.status_code == 204
    assert await _due(client, world, **query) == datetime(
        2025, 8, 25, 16, 59, 59, 999_999, tzinfo=UTC
    )
    # Kupang's calendar never saw Ngawi's overrides.
    assert await _due(client, world, "admin_kupang", **query) == datetime(
        2025, 8, 25, 15, 59, 59, 999_999, tzinfo=UTC
    )


async def test_liaison_may_not_change_the_calendar(client: httpx.AsyncClient, world: World) -> None:
    body = {"date": "2025-08-20", "kind": "holiday", "name": "Libur"}
    put = await client.put(
        "/v1/calendar/overrides/2025-08-20", json=body, headers=world.h("liaison")
    )
    assert_error(put, 403, "role_forbidden")
    deleted = await client.delete("/v1/calendar/overrides/2025-08-20", headers=world.h("liaison"))
    assert_error(deleted, 403, "role_forbidden")


async def test_override_whose_body_date_differs_from_the_path_gets_422(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"date": "2025-08-21", "kind": "holiday", "name": "Libur"}
    put = await client.put("/v1/calendar/overrides/2025-08-20", json=body, headers=world.h("admin"))
    assert fields_named(assert_error(put, 422)) == {"date"}


async def test_override_name_with_a_nul_character_gets_422(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"date": "2025-08-20", "kind": "holiday", "name": "Libur\x00"}
    put = await client.put("/v1/calendar/overrides/2025-08-20", json=body, headers=world.h("admin"))
    assert fields_named(assert_error(put, 422)) == {"name"}


async def test_deleting_a_missing_override_gets_404(
    client: httpx.AsyncClient, world: World
) -> None:
    deleted = await client.delete("/v1/calendar/overrides/2025-08-20", headers=world.h("admin"))
    assert_error(deleted, 404, "override_not_found")


async def test_machine_clients_may_not_read_the_calendar(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/v1/calendar/holidays", params={"year": 2025}, headers=world.h("citizen_app")
    )
    assert_error(response, 403)


async def test_override_drops_the_cached_calendar_at_commit_not_before(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> None:
    # Dropped before the commit, a request reading in between would cache the old calendar again.
    async with sessions() as session:
        async with session.begin():
            await jurisdictions.load_context(session, world.jurisdiction_id)
            regional = CalendarOverride(day=date(2026, 12, 1), kind="holiday", name="Hari Jadi")
            await jurisdictions.put_override(session, world.jurisdiction_id, regional)
            assert world.jurisdiction_id in jurisdictions._cache
        assert world.jurisdiction_id not in jurisdictions._cache
        fresh = await jurisdictions.load_context(session, world.jurisdiction_id)
        assert not fresh.calendar.is_working_day(date(2026, 12, 1))
