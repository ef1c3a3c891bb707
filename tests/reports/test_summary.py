"""The summary is the regulation's own table: its counts give its 93.2% and 71.25%."""

import httpx

from tests.complaints.support import assert_error, fields_named
from tests.factories import World
from tests.reports.support import NOVEMBER, bring_to, counter, report

# Lampiran, Tabel 2 of the Ngawi regulation: one year's complaints.
TABLE = {"archived": 14, "in_process": 2, "needs_info": 7, "received": 2, "closed": 55}


async def test_the_regulations_table_gives_its_shares_and_target(
    client: httpx.AsyncClient, world: World
) -> None:
    state_of = {"in_process": "dispatched"}
    for state, n in TABLE.items():
        for _ in range(n):
            cid = await counter(client, world)
            await bring_to(client, world, cid, state_of.get(state, state))

    body = await report(client, world, "summary", **NOVEMBER)
    t = body["totals"]
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30", "timezone": "Asia/Jakarta"}
    assert (t["received"], t["archived"], t["in_process"], t["waiting_for_information"]) == (
        80,
        14,
        2,
        7,
    )
    assert (t["not_verified"], t["settled"], t["not_settleable"], t["responded"]) == (2, 55, 0, 0)
    assert body["archived_by_reason"]["unclear"] == 14
    shares = {s["name"]: s for s in body["shares"]}
    assert shares["settled_of_eligible"]["percent"] == 93.22
    assert (
        shares["settled_of_eligible"]["numerator"],
        shares["settled_of_eligible"]["denominator"],
    ) == (55, 59)
    assert shares["settled_of_eligible"]["formula"] == (
        "settled / (received - archived - waiting_for_information)"
    )
    assert shares["followed_up_of_received"]["percent"] == 71.25
    assert shares["settled_of_received"]["percent"] == 68.75
    assert t["settled_of_eligible_percent"] == 93.22
    assert body["target"] == {
        "year": 2026,
        "target_percent": 96.0,
        "actual_percent": 93.22,
        "met": False,
        "source": "regulation",
    }

    put = await client.put(
        "/v1/reports/targets/2026", json={"settled_percent": 93}, headers=world.h("admin")
    )
    assert put.status_code == 200, put.text
    again = await report(client, world, "summary", **NOVEMBER)
    assert again["target"]["source"] == "jurisdiction"
    assert (again["target"]["target_percent"], again["target"]["met"]) == (93.0, True)


async def test_not_settleable_is_counted_apart_from_settled(
    client: httpx.AsyncClient, world: World
) -> None:
    for resolution in (
        None,
        {"resolution": "not_settleable", "resolution_reason": "di luar kewenangan daerah"},
    ):
        cid = await counter(client, world)
        await bring_to(client, world, cid, "closed", resolution=resolution)
    answered = await counter(client, world)
    await bring_to(client, world, answered, "responded")
    t = (await report(client, world, "summary", **NOVEMBER))["totals"]
    assert (t["settled"], t["not_settleable"], t["responded"], t["received"]) == (1, 1, 1, 3)
    assert t["settled_of_eligible_percent"] == 33.33


async def test_bad_periods_are_422_in_the_error_shape(
    client: httpx.AsyncClient, world: World
) -> None:
    backwards = await client.get(
        "/v1/reports/summary?from=2026-11-30&to=2026-11-01", headers=world.h("admin")
    )
    assert fields_named(assert_error(backwards, 422, "invalid_period")) == {"from"}
    too_long = await client.get(
        "/v1/reports/agencies?from=2024-01-01&to=2025-12-31", headers=world.h("admin")
    )
    assert fields_named(assert_error(too_long, 422, "period_too_long")) == {"to"}
    not_a_date = await client.get("/v1/reports/summary?from=2026-13-01", headers=world.h("admin"))
    assert_error(not_a_date, 422)
    month = await client.get("/v1/reports/monthly?month=2026-1", headers=world.h("admin"))
    assert fields_named(assert_error(month, 422, "invalid_month")) == {"month"}
    for beyond in ("0000-01", "9999-12"):  # no year 0; no day after 9999-12-31 (both were 500s)
        for format in ("json", "xlsx", "html"):
            month = await client.get(
                f"/v1/reports/monthly?month={beyond}&format={format}", headers=world.h("admin")
            )
            assert fields_named(assert_error(month, 422, "invalid_month")) == {"month"}
    csv_monthly = await client.get(
        "/v1/reports/monthly?month=2026-11&format=csv", headers=world.h("admin")
    )
    assert fields_named(assert_error(csv_monthly, 422)) == {"format"}
    target = await client.put(
        "/v1/reports/targets/2026", json={"settled_percent": 101}, headers=world.h("admin")
    )
    assert_error(target, 422)


async def test_who_may_read_reports(client: httpx.AsyncClient, world: World) -> None:
    for who in ("operator", "citizen_app", "agency_system"):
        response = await client.get("/v1/reports/summary", headers=world.h(who))
        assert_error(response, 403)
    assert_error(await client.get("/v1/reports/summary"), 401)
    for who in ("admin", "supervisor", "liaison"):
        await report(client, world, "summary", who=who)
    assert_error(
        await client.put(
            "/v1/reports/targets/2026", json={"settled_percent": 90}, headers=world.h("supervisor")
        ),
        403,
    )
