"""Every action endpoint: its success path, illegal transitions, roles, visibility, bad input."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from tests.complaints.support import (
    NGAWI,
    act,
    assert_error,
    complaint_row,
    create,
    dispatched,
    fetch,
    fields_named,
    in_status,
    live_server,
    ok,
)
from tests.factories import World

VERIFY = {"type": "non_field"}
REQUEST_INFO = {"message": "Mohon sebutkan nama desa."}
INFO = {"text": "Desa Beran, depan balai desa."}
ARCHIVE = {"reason": "unclear"}
RESPONSE = {"message": "Sudah dijadwalkan perbaikan."}
FEEDBACK_OK = {"rating": 5, "satisfied": True}
EXTEND = {"working_days": 5, "reason": "Menunggu anggaran perubahan."}


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _events(engine: AsyncEngine, cid: str) -> list[dict[str, Any]]:
    return await fetch(
        engine,
        "SELECT seq, type, occurred_at, data, actor FROM complaint_events"
        " WHERE complaint_id = :id ORDER BY seq",
        id=uuid.UUID(cid),
    )


# --- illegal transitions, roles, visibility ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "who", "action", "body"),
    [
        ("dispatched", "admin", "verify", VERIFY),
        ("responded", "admin", "request-info", REQUEST_INFO),
        ("received", "citizen_app", "info", INFO),
        ("dispatched", "admin", "archive", ARCHIVE),
        ("received", "admin", "dispatch", None),
        ("in_progress", "liaison", "acknowledge", None),
        ("responded", "admin", "transfer", None),
        ("verified", "admin", "responses", RESPONSE),
        ("in_progress", "citizen_app", "feedback", FEEDBACK_OK),
        ("closed", "admin", "extend", EXTEND),
        ("archived", "admin", "verify", VERIFY),
        ("closed", "citizen_app", "feedback", FEEDBACK_OK),
    ],
)
async def test_illegal_action_gets_409_naming_the_current_status(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    status: str,
    who: str,
    action: str,
    body: dict[str, Any] | None,
) -> None:
    c = await in_status(client, world, status)
    if action in {"dispatch", "transfer"}:
        body = {"agency_id": str(world.agencies["DLH"]), "reason": "bukan wewenang"}
        if action == "dispatch":
            body.pop("reason")
    before = await _events(engine, c["id"])
    error = assert_error(await act(client, world, who, c["id"], action, body), 409)
    assert error["code"] == f"complaint_is_{status}"
    assert (await complaint_row(engine, c["id"]))["status"] == status
    assert await _events(engine, c["id"]) == before


@pytest.mark.parametrize(
    ("who", "action", "body"),
    [
        ("liaison", "verify", VERIFY),
        ("operator", "request-info", REQUEST_INFO),
        ("admin", "info", INFO),
        ("liaison", "archive", ARCHIVE),
        ("liaison", "dispatch", {"agency_id": str(uuid.uuid4())}),
        ("admin", "acknowledge", None),
        ("citizen_app", "responses", RESPONSE),
        ("admin", "feedback", FEEDBACK_OK),
        ("supervisor", "extend", EXTEND),
        ("hub", "verify", VERIFY),
    ],
)
async def test_caller_without_the_role_gets_403(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    action: str,
    body: dict[str, Any] | None,
) -> None:
    c = await dispatched(client, world)
    assert_error(await act(client, world, who, c["id"], action, body), 403, "role_forbidden")


async def test_liaison_of_other_agency_gets_404(client: httpx.AsyncClient, world: World) -> None:
    c = await dispatched(client, world, "DPUPR")
    for action, body in [("acknowledge", None), ("responses", RESPONSE)]:
        response = await act(client, world, "liaison_other", c["id"], action, body)
        assert_error(response, 404, "complaint_not_found")
    shown = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("liaison_other"))
    assert_error(shown, 404, "complaint_not_found")


async def test_liaison_sees_nothing_before_dispatch(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await in_status(client, world, "verified")
    response = await act(client, world, "liaison", c["id"], "request-info", REQUEST_INFO)
    assert_error(response, 404)


async def test_other_operator_gets_404(client: httpx.AsyncClient, world: World) -> None:
    c = await create(client, world, "operator")
    await ok(client, world, "admin", c["id"], "request-info", REQUEST_INFO)
    assert_error(await act(client, world, "operator_other", c["id"], "info", INFO), 404)
    assert (await ok(client, world, "operator", c["id"], "info", INFO))["status"] == "received"


async def test_other_citizen_app_cannot_give_feedback(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await in_status(client, world, "responded")
    response = await act(client, world, "citizen_app_other", c["id"], "feedback", FEEDBACK_OK)
    assert_error(response, 404)


async def test_admin_of_other_jurisdiction_gets_404(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await create(client, world)
    assert_error(await act(client, world, "admin_kupang", c["id"], "verify", VERIFY), 404)
    shown = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin_kupang"))
    assert_error(shown, 404)


async def test_unknown_complaint_gets_404(client: httpx.AsyncClient, world: World) -> None:
    response = await act(client, world, "admin", str(uuid.uuid4()), "verify", VERIFY)
    assert_error(response, 404, "complaint_not_found")


async def test_malformed_complaint_id_gets_422(client: httpx.AsyncClient, world: World) -> None:
    error = assert_error(await act(client, world, "admin", "nope", "verify", VERIFY), 422)
    assert "complaint_id" in fields_named(error)


@pytest.mark.parametrize("action", ["verify", "dispatch", "transfer"])
@pytest.mark.parametrize("agency", ["random", "KUPANG-PU"])
async def test_unknown_agency_gets_422(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, action: str, agency: str
) -> None:
    agency_id = str(uuid.uuid4()) if agency == "random" else str(world.agencies[agency])
    if action == "verify":
        c = await create(client, world)
        body: dict[str, Any] = VERIFY | {"agency_id": agency_id}
    else:
        c = await dispatched(client, world)
        body = {"agency_id": agency_id} | ({"reason": "x"} if action == "transfer" else {})
    before = await complaint_row(engine, c["id"])
    error = assert_error(await act(client, world, "admin", c["id"], action, body), 422)
    assert error["code"] == "unknown_agency"
    assert fields_named(error) == {"agency_id"}
    # Nothing half-done: a failed verify leaves the complaint received, with no clock.
    after = await complaint_row(engine, c["id"])
    assert after["status"] == before["status"]
    assert after["due_at"] == before["due_at"]
    assert after["last_seq"] == before["last_seq"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "urgent"}, "type"),
        ({}, "type"),
        (VERIFY | {"category_id": str(uuid.uuid4())}, "category_id"),
        (VERIFY | {"extra": 1}, "extra"),
    ],
)
async def test_invalid_verify_body_gets_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    c = await create(client, world)
    error = assert_error(await act(client, world, "admin", c["id"], "verify", body), 422)
    assert field in fields_named(error)


# --- success paths ----------------------------------------------------------------------------


async def test_verify_without_agency_starts_the_clock_and_waits_in_triage(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await create(client, world)
    out = await ok(client, world, "admin", c["id"], "verify", {"type": "field_inspection"})
    assert out["status"] == "verified"
    assert out["agency"] is None
    assert out["policy"]["version"] == 1
    assert out["policy"]["days"] == 60
    assert _t(out["due_at"]) == NGAWI.add_days(_t(out["verified_at"]), 60)
    assert "dispatch" in out["allowed_actions"]
    events = await _events(engine, c["id"])
    assert [e["type"] for e in events] == ["received", "verified"]
    assert events[1]["data"]["policy_version"] == 1
    assert events[1]["actor"]["role"] == "admin"


async def test_verify_with_agency_and_category_dispatches_at_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await create(client, world)
    body = VERIFY | {
        "agency_id": str(world.agencies["DPUPR"]),
        "category_id": str(world.categories["jalan"]),
    }
    out = await ok(client, world, "admin", c["id"], "verify", body)
    assert out["status"] == "dispatched"
    assert out["agency"]["code"] == "DPUPR"
    assert out["category_id"] == str(world.categories["jalan"])
    assert [e["type"] for e in await _events(engine, c["id"])] == [
        "received",
        "verified",
        "dispatched",
    ]


async def test_request_info_before_verification_does_not_pause_and_info_restarts_verification(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await create(client, world)
    asked = await ok(client, world, "admin", c["id"], "request-info", REQUEST_INFO)
    assert asked["status"] == "needs_info"
    assert asked["paused"] is False
    assert asked["due_at"] is None
    events = await _events(engine, c["id"])
    assert _t(asked["info_due_at"]) == NGAWI.add_days(events[-1]["occurred_at"], 10)
    answered = await ok(client, world, "citizen_app", c["id"], "info", INFO)
    assert answered["status"] == "received"
    assert answered["info_due_at"] is None
    supplied = (await _events(engine, c["id"]))[-1]
    assert supplied["type"] == "info_supplied"
    assert _t(answered["verification_due_at"]) == NGAWI.add_days(supplied["occurred_at"], 3)


async def test_info_after_a_pause_gives_back_the_working_days_that_began_during_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock
) -> None:
    c = await dispatched(client, world)
    await ok(client, world, "liaison", c["id"], "acknowledge")
    asked = await ok(client, world, "liaison", c["id"], "request-info", REQUEST_INFO)
    assert asked["status"] == "needs_info"
    assert asked["paused"] is True
    assert asked["overdue"] is False
    due_before = _t(asked["due_at"])
    clock.advance(timedelta(days=11))  # the reporter answers eleven days later
    paused_at = (await complaint_row(engine, c["id"]))["paused_at"]
    resumed = await ok(client, world, "citizen_app", c["id"], "info", INFO)
    assert resumed["status"] == "in_progress"
    assert resumed["paused"] is False
    supplied = (await _events(engine, c["id"]))[-1]
    lost = NGAWI.working_days_started_between(paused_at, supplied["occurred_at"])
    # Eleven days hold at least one working day even across Idul Fitri and its cuti bersama.
    assert lost >= 1
    assert _t(resumed["due_at"]) == NGAWI.add_days(due_before, lost)
    assert _t(supplied["data"]["previous_due_at"]) == due_before
    assert _t(supplied["data"]["due_at"]) == _t(resumed["due_at"])


async def test_archive_records_the_reason(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await create(client, world)
    out = await ok(client, world, "admin", c["id"], "archive", {"reason": "not_a_complaint"})
    assert out["status"] == "archived"
    assert out["archived_reason"] == "not_a_complaint"
    assert out["allowed_actions"] == []
    assert (await _events(engine, c["id"]))[-1]["data"]["reason"] == "not_a_complaint"


async def test_archive_as_duplicate_points_at_the_original(
    client: httpx.AsyncClient, world: World
) -> None:
    original = await create(client, world)
    repeat = await create(client, world)
    body = {"reason": "duplicate", "duplicate_of": original["id"]}
    out = await ok(client, world, "admin", repeat["id"], "archive", body)
    assert out["duplicate_of"] == original["id"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reason": "duplicate"}, "invalid"),
        ({"reason": "unclear", "duplicate_of": "SELF"}, "invalid"),
        ({"reason": "duplicate", "duplicate_of": "SELF"}, "invalid"),
        ({"reason": "duplicate", "duplicate_of": str(uuid.uuid4())}, "unknown_complaint"),
        ({"reason": "bored"}, "invalid"),
    ],
)
async def test_bad_archive_gets_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], code: str
) -> None:
    c = await create(client, world)
    if body.get("duplicate_of") == "SELF":
        body = body | {"duplicate_of": c["id"]}
    error = assert_error(await act(client, world, "admin", c["id"], "archive", body), 422, code)
    assert fields_named(error) & {"duplicate_of", "reason"}


async def test_dispatch_by_hand_and_again_to_another_agency(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await in_status(client, world, "verified")
    first = await ok(
        client, world, "admin", c["id"], "dispatch", {"agency_id": str(world.agencies["DLH"])}
    )
    assert first["status"] == "dispatched"
    assert first["agency"]["code"] == "DLH"
    again = await ok(
        client, world, "admin", c["id"], "dispatch", {"agency_id": str(world.agencies["DINSOS"])}
    )
    assert again["agency"]["code"] == "DINSOS"
    assert again["due_at"] == first["due_at"]
    last = (await _events(engine, c["id"]))[-1]
    assert last["data"]["previous_agency_id"] == str(world.agencies["DLH"])


async def test_acknowledge_puts_it_in_progress(client: httpx.AsyncClient, world: World) -> None:
    c = await dispatched(client, world)
    out = await ok(client, world, "liaison", c["id"], "acknowledge", {"note": "diterima"})
    assert out["status"] == "in_progress"


async def test_transfer_keeps_the_clock_and_leaves_the_first_agency_blind(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await dispatched(client, world, "DPUPR")
    await ok(client, world, "liaison", c["id"], "acknowledge")
    body = {"agency_id": str(world.agencies["DLH"]), "reason": "Bukan wewenang PUPR."}
    before = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))
    out = await ok(client, world, "admin", c["id"], "transfer", body)
    assert out["status"] == "dispatched"
    assert out["agency"]["code"] == "DLH"
    assert out["due_at"] == before.json()["due_at"]
    assert_error(await act(client, world, "liaison", c["id"], "acknowledge"), 404)
    assert (await ok(client, world, "liaison_other", c["id"], "acknowledge"))["status"] == (
        "in_progress"
    )


async def test_transfer_to_the_same_agency_gets_422(
    client: httpx.AsyncClient, world: World
) -> None:
    c = await dispatched(client, world, "DPUPR")
    body = {"agency_id": str(world.agencies["DPUPR"]), "reason": "sama"}
    error = assert_error(await act(client, world, "admin", c["id"], "transfer", body), 422)
    assert fields_named(error) == {"agency_id"}


async def test_response_schedules_the_automatic_close(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await in_status(client, world, "in_progress")
    out = await ok(client, world, "admin", c["id"], "responses", RESPONSE)
    assert out["status"] == "responded"
    assert _t(out["auto_close_at"]) == NGAWI.add_days(_t(out["responded_at"]), 10)
    assert (await _events(engine, c["id"]))[-1]["data"]["on_time"] is True


async def test_satisfied_feedback_closes(client: httpx.AsyncClient, world: World) -> None:
    c = await in_status(client, world, "responded")
    out = await ok(client, world, "citizen_app", c["id"], "feedback", FEEDBACK_OK)
    assert out["status"] == "closed"
    assert out["closed_at"] is not None
    assert out["auto_close_at"] is None


async def test_unsatisfied_feedback_reopens(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await in_status(client, world, "responded")
    body = {"rating": 1, "satisfied": False, "comment": "Belum diperbaiki."}
    out = await ok(client, world, "citizen_app", c["id"], "feedback", body)
    assert out["status"] == "in_progress"
    assert out["closed_at"] is None
    assert out["auto_close_at"] is None
    types = [e["type"] for e in await _events(engine, c["id"])]
    assert types[-2:] == ["feedback_received", "reopened"]


@pytest.mark.parametrize("body", [{"rating": 0, "satisfied": True}, {"rating": 5}])
async def test_bad_feedback_gets_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    c = await in_status(client, world, "responded")
    assert_error(await act(client, world, "citizen_app", c["id"], "feedback", body), 422)


async def test_extend_adds_working_days_and_records_the_reason(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await dispatched(client, world)
    before = await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))
    out = await ok(client, world, "admin", c["id"], "extend", EXTEND)
    assert _t(out["due_at"]) == NGAWI.add_days(_t(before.json()["due_at"]), 5)
    last = (await _events(engine, c["id"]))[-1]
    assert last["type"] == "deadline_extended"
    assert last["data"]["reason"] == EXTEND["reason"]
    assert last["data"]["working_days"] == 5
    assert _t(last["data"]["previous_due_at"]) == _t(before.json()["due_at"])


async def test_extend_before_verification_gets_409(client: httpx.AsyncClient, world: World) -> None:
    c = await in_status(client, world, "needs_info")
    response = await act(client, world, "admin", c["id"], "extend", EXTEND)
    assert_error(response, 409, "complaint_not_verified")


@pytest.mark.parametrize("days", [0, 61])
async def test_extend_out_of_range_gets_422(
    client: httpx.AsyncClient, world: World, days: int
) -> None:
    c = await dispatched(client, world)
    body = {"working_days": days, "reason": "x"}
    error = assert_error(await act(client, world, "admin", c["id"], "extend", body), 422)
    assert fields_named(error) == {"working_days"}


# --- the audit trail --------------------------------------------------------------------------


async def test_each_event_has_the_next_seq_and_its_outbox_row_in_the_same_transaction(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await dispatched(client, world)
    await ok(client, world, "liaison", c["id"], "acknowledge")
    await ok(client, world, "admin", c["id"], "extend", EXTEND)
    await ok(client, world, "liaison", c["id"], "request-info", REQUEST_INFO)
    await ok(client, world, "citizen_app", c["id"], "info", INFO)
    await ok(client, world, "liaison", c["id"], "responses", RESPONSE)
    await ok(client, world, "citizen_app", c["id"], "feedback", {"rating": 2, "satisfied": False})
    await ok(client, world, "liaison", c["id"], "responses", RESPONSE)
    await ok(client, world, "citizen_app", c["id"], "feedback", FEEDBACK_OK)
    cid = uuid.UUID(c["id"])
    events = await fetch(
        engine,
        "SELECT seq, type, xmin::text AS tx FROM complaint_events WHERE complaint_id = :id"
        " ORDER BY seq",
        id=cid,
    )
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert len(events) == 13
    outbox = await fetch(
        engine,
        "SELECT seq, payload->>'type' AS type, xmin::text AS tx FROM outbox_messages"
        " WHERE complaint_id = :id AND topic = 'complaint_event' ORDER BY seq",
        id=cid,
    )
    assert [(o["seq"], o["type"], o["tx"]) for o in outbox] == [
        (e["seq"], f"complaint.{e['type']}", e["tx"]) for e in events
    ]
    row = await complaint_row(engine, c["id"])
    assert row["last_seq"] == len(events)
    assert row["status"] == "closed"


async def test_events_of_one_action_share_its_instant(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    c = await dispatched(client, world)
    events = await _events(engine, c["id"])
    assert events[1]["occurred_at"] == events[2]["occurred_at"]
    assert (
        events[0]["occurred_at"]
        <= events[1]["occurred_at"]
        < events[0]["occurred_at"] + (timedelta(minutes=5))
    )


async def test_concurrent_actions_on_one_complaint_are_serialised(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    c = await dispatched(client, world)
    due = _t(
        (await client.get(f"/v1/complaints/{c['id']}", headers=world.h("admin"))).json()["due_at"]
    )
    extend = {"working_days": 2, "reason": "Antre anggaran."}
    async with live_server(settings) as base, httpx.AsyncClient(base_url=base) as http:
        # A real server, so each request has its own connection and the row lock decides.
        answers = await asyncio.gather(
            *(
                http.post(f"/v1/complaints/{c['id']}/acknowledge", headers=world.h("liaison"))
                for _ in range(6)
            ),
            *(
                http.post(f"/v1/complaints/{c['id']}/extend", json=extend, headers=world.h("admin"))
                for _ in range(6)
            ),
        )
    acks, extends = answers[:6], answers[6:]
    assert sorted(a.status_code for a in acks) == [200] + [409] * 5
    for answer in acks:
        if answer.status_code == 409:
            assert_error(answer, 409, "complaint_is_in_progress")
    assert [e.status_code for e in extends] == [200] * 6
    events = await _events(engine, c["id"])
    assert [e["seq"] for e in events] == list(range(1, 3 + 1 + 6 + 1))
    assert [e["type"] for e in events].count("deadline_extended") == 6
    row = await complaint_row(engine, c["id"])
    assert row["due_at"] == NGAWI.add_days(due, 12)
    assert row["status"] == "in_progress"
