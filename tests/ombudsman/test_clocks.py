"""Every step's deadline by the complaints' calendar and the jurisdiction's policy versions,
and each reminder and escalation raised once by the worker."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.calendar.workdays import WorkCalendar
from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.ombudsman import steps
from app.ombudsman.policy import DEFAULT
from tests.engines import worker
from tests.factories import World
from tests.ombudsman.conftest import make_case, step

NGAWI = WorkCalendar("Asia/Jakarta")
MONDAY = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # 10:00 WIB


def test_working_days_skip_nyepi_idul_fitri_cuti_bersama_and_good_friday() -> None:
    # 17 Mar is day 1; 18-24 Mar are off (Nyepi, Idul Fitri and their cuti bersama), so are
    # the weekends and Good Friday (3 Apr): day 14 is Monday 13 April.
    due = steps.due_at(NGAWI, DEFAULT, "clarification", MONDAY, None)
    assert due == datetime(2026, 4, 13, 16, 59, 59, 999999, tzinfo=UTC)


def test_calendar_days_count_every_day_and_the_letters_own_date_wins() -> None:
    assert steps.due_at(NGAWI, DEFAULT, "recommendation", MONDAY, None) == datetime(
        2026, 5, 15, 16, 59, 59, 999999, tzinfo=UTC
    )
    own = steps.due_at(NGAWI, DEFAULT, "recommendation", MONDAY, datetime(2026, 4, 1).date())
    assert own == datetime(2026, 4, 1, 16, 59, 59, 999999, tzinfo=UTC)


def test_the_reminder_is_at_eight_on_the_last_working_day_before() -> None:
    due = datetime(2026, 4, 13, 16, 59, 59, 999999, tzinfo=UTC)
    assert steps.timers(NGAWI, due) == [
        ("reminder", datetime(2026, 4, 10, 1, 0, tzinfo=UTC)),  # Friday 08:00 WIB
        ("escalation", due),
    ]


def test_a_timer_acts_only_on_the_open_step_it_was_computed_for() -> None:
    due = datetime(2026, 4, 13, tzinfo=UTC)
    assert steps.could_fire("escalation", due, "clarification", "open", due, "examination")
    assert not steps.could_fire("escalation", due, "clarification", "done", due, "examination")
    assert not steps.could_fire("escalation", due, "clarification", "open", due, "closed")
    # A clarification ends with the examination: no escalation once the LAHP is in.
    assert not steps.could_fire("reminder", due, "clarification", "open", due, "corrective_action")
    assert steps.could_fire("reminder", due, "corrective_action", "open", due, "corrective_action")
    later = due + timedelta(days=1)
    assert not steps.could_fire("reminder", due, "corrective_action", "open", later, "closed")


async def test_a_regional_holiday_moves_a_working_day_deadline(
    client: httpx.AsyncClient, world: World
) -> None:
    put = await client.put(
        "/v1/calendar/overrides/2026-04-08",
        json={"date": "2026-04-08", "kind": "holiday", "name": "Hari Jadi Ngawi"},
        headers=world.h("admin"),
    )
    assert put.status_code in (200, 201), put.text
    case = await make_case(client, world)
    asked = await client.post(
        f"/v1/ombudsman-cases/{case['id']}/clarifications",
        json={"description": "Mohon data."},
        headers=world.h("narahubung"),
    )
    assert step(asked.json(), "clarification")["due_at"] == "2026-04-14T16:59:59.999999Z"


async def test_a_case_keeps_the_policy_version_its_letter_came_under(
    client: httpx.AsyncClient, world: World, clock: ManualClock
) -> None:
    new = await client.post(
        "/v1/ombudsman-policies",
        json={
            "effective_from": "2026-03-17",
            "clarification_days": 5,
            "clarification_unit": "calendar_days",
            "corrective_action_days": 20,
            "legal_basis": "Peraturan Bupati (contoh)",
        },
        headers=world.h("admin"),
    )
    assert new.status_code == 201, new.text
    assert (new.json()["version"], new.json()["in_force"]) == (1, False)
    past = await client.post(
        "/v1/ombudsman-policies",
        json={"effective_from": "2026-03-01", "clarification_days": 5, "corrective_action_days": 5},
        headers=world.h("admin"),
    )
    assert past.status_code == 422
    body = {"effective_from": "2026-04-01", "clarification_days": 5, "corrective_action_days": 5}
    for caller in ("narahubung", "supervisor", "liaison"):
        refused = await client.post("/v1/ombudsman-policies", json=body, headers=world.h(caller))
        assert refused.status_code == 403
    old = await make_case(client, world, letter_number="B/1")
    clock.advance(timedelta(days=1))  # Tuesday 17 March: version 1 is in force
    listed = await client.get("/v1/ombudsman-policies", headers=world.h("supervisor"))
    assert [(p["version"], p["in_force"]) for p in listed.json()["items"]] == [
        (1, True),
        (0, False),
    ]
    young = await make_case(client, world, letter_number="B/2")
    assert (old["policy_version"], young["policy_version"]) == (0, 1)
    dues = []
    for case in (old, young):
        asked = await client.post(
            f"/v1/ombudsman-cases/{case['id']}/clarifications",
            json={"description": "Mohon data."},
            headers=world.h("narahubung"),
        )
        dues.append(step(asked.json(), "clarification")["due_at"])
    # The old case counts 14 working days from today (17 Mar); the young one 5 calendar days.
    assert dues == ["2026-04-14T16:59:59.999999Z", "2026-03-22T16:59:59.999999Z"]


async def _events(client: httpx.AsyncClient, world: World, case_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/ombudsman-cases/{case_id}/events", headers=world.h("admin"))
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in items if e["type"] in {"due_soon", "overdue", "escalated"}]


async def _run(settings: Settings, engine: AsyncEngine, clock: ManualClock) -> None:
    async with worker(settings, engine, topics={"ombudsman_timer"}, clock=clock) as w:
        await w.run_batch()


async def test_reminder_and_escalation_each_once(
    client: httpx.AsyncClient,
    world: World,
    clock: ManualClock,
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        await s.execute(
            text("UPDATE users SET email = :e WHERE id = :i"),
            {"e": "inspektorat@ngawi.test", "i": world.ids["supervisor"]},
        )
        await s.execute(
            text("UPDATE agencies SET head_email = 'kadis.pupr@ngawi.test' WHERE id = :a"),
            {"a": world.agencies["DPUPR"]},
        )
    case = await make_case(client, world)
    asked = await client.post(
        f"/v1/ombudsman-cases/{case['id']}/clarifications",
        json={"description": "Mohon data.", "due_date": "2026-03-27"},
        headers=world.h("narahubung"),
    )
    due = datetime.fromisoformat(step(asked.json(), "clarification")["due_at"])

    await _run(settings, engine, clock)
    assert kinds(await _events(client, world, case["id"])) == []
    # Thursday 26 March, 08:00 WIB: the last working day before the due date.
    clock.set(datetime(2026, 3, 26, 1, 1, tzinfo=UTC))
    await _run(settings, engine, clock)
    await _run(settings, engine, clock)
    assert kinds(await _events(client, world, case["id"])) == ["due_soon"]
    clock.set(due + timedelta(minutes=1))
    await _run(settings, engine, clock)
    clock.advance(timedelta(days=3))
    await _run(settings, engine, clock)
    events = await _events(client, world, case["id"])
    assert kinds(events) == ["due_soon", "overdue", "escalated"]
    assert events[-1]["data"]["to"] == ["agency_head", "inspektorat", "sekda"]
    async with sessions() as s:
        mailed = (
            (
                await s.execute(
                    text(
                        "SELECT payload->>'to' FROM outbox_messages WHERE topic = 'email'"
                        " AND payload->>'subject' LIKE '%terlampaui%'"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(mailed) == ["inspektorat@ngawi.test", "kadis.pupr@ngawi.test"]


async def test_an_answer_in_time_silences_the_timers(
    client: httpx.AsyncClient,
    world: World,
    clock: ManualClock,
    settings: Settings,
    engine: AsyncEngine,
) -> None:
    case = await make_case(client, world)
    asked = await client.post(
        f"/v1/ombudsman-cases/{case['id']}/clarifications",
        json={"description": "Mohon data.", "due_date": "2026-03-27"},
        headers=world.h("narahubung"),
    )
    sid = step(asked.json(), "clarification")["id"]
    answered = await client.post(
        f"/v1/ombudsman-cases/{case['id']}/clarifications/{sid}/answer",
        json={"answer": "Terlampir."},
        headers=world.h("liaison"),
    )
    assert answered.status_code == 200
    clock.set(datetime(2026, 4, 1, tzinfo=UTC))
    await _run(settings, engine, clock)
    types = [e["type"] for e in await _events(client, world, case["id"])]
    assert types == ["received", "clarification_requested", "clarification_answered"]
