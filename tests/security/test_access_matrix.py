"""Every caller against every complaint route and ownership case: 2xx, 403 or 404 as designed.

Three shared complaints give the ownership cases: A (by the citizen app, dispatched to DPUPR),
B (by the operator, just received) and C (in the other jurisdiction). A role the route does not
allow gets 403 whatever the complaint (no lookup happens); an allowed role gets 404 for what it
cannot see, and 2xx on a fresh complaint of its own in the state the action needs.
"""

import uuid
from typing import Any

import httpx
import pytest

from tests.complaint_states import make_complaint
from tests.factories import World

CALLERS = [
    "admin",
    "supervisor",
    "liaison",
    "liaison_other",
    "operator",
    "operator_other",
    "citizen_app",
    "citizen_app_other",
    "hub",
    "gateway",
    "agency_system",
    "admin_kupang",
    "citizen_app_kupang",
]
ROLE = {
    "liaison_other": "liaison",
    "operator_other": "operator",
    "citizen_app_other": "citizen_app",
    "gateway": "channel_gateway",
    "admin_kupang": "admin",
    "citizen_app_kupang": "citizen_app",
    "narahubung": "ombudsman_liaison",
}
VISIBLE = {
    "A": {"admin", "supervisor", "liaison", "citizen_app", "agency_system"},
    "B": {"admin", "supervisor", "operator"},
    "C": {"admin_kupang", "citizen_app_kupang"},
}
REPORTERS = {"citizen_app", "operator", "channel_gateway"}

# route -> (method, allowed roles, state the action needs, body)
ACTIONS: dict[str, tuple[str, set[str], str, dict[str, Any] | None]] = {
    "verify": ("POST", {"admin"}, "received", {"type": "non_field"}),
    "request-info": ("POST", {"admin", "liaison"}, "dispatched", {"message": "Mohon foto."}),
    "info": ("POST", REPORTERS, "needs_info", {"text": "Alamatnya Jl. Raya Beran 1."}),
    "archive": ("POST", {"admin"}, "received", {"reason": "unclear"}),
    "dispatch": ("POST", {"admin"}, "verified", {"agency_id": "DPUPR"}),
    "acknowledge": ("POST", {"liaison"}, "dispatched", None),
    # A liaison's transfer is a request to the admins (issue 4), still a 2xx on its own agency.
    "transfer": (
        "POST",
        {"admin", "liaison"},
        "dispatched",
        {"agency_id": "DINSOS", "reason": "Bukan kami."},
    ),
    "responses": ("POST", {"admin", "liaison"}, "dispatched", {"message": "Sudah ditangani."}),
    "feedback": ("POST", REPORTERS, "responded", {"rating": 4, "satisfied": True}),
    "extend": ("POST", {"admin"}, "dispatched", {"working_days": 2, "reason": "Anggaran."}),
    "reveal-reporter": ("POST", {"admin"}, "received", {"reason": "Verifikasi identitas."}),
    "reporter": ("PATCH", {"admin"}, "received", {"reason": "Koreksi nama.", "name": "Siti A."}),
}
READS = ["", "/events"]
INTAKE = {"operator", "citizen_app", "hub", "channel_gateway", "admin"}
# Own-jurisdiction actions of the other jurisdiction's admin need a second agency there.
NOT_BUILDABLE = {("admin_kupang", "transfer")}


def _role(caller: str) -> str:
    return ROLE.get(caller, caller)


def _body(world: World, body: dict[str, Any] | None, kupang: bool) -> dict[str, Any] | None:
    if body is None or "agency_id" not in body:
        return body
    agency = "KUPANG-PU" if kupang else body["agency_id"]
    return {**body, "agency_id": str(world.agencies[agency])}


async def _own_complaint(client: httpx.AsyncClient, world: World, caller: str, state: str) -> str:
    """A complaint `caller` may act on, in `state`."""
    if caller.endswith("_kupang"):
        return await make_complaint(
            client, world, state, "citizen_app_kupang", "KUPANG-PU", "admin_kupang"
        )
    if caller in {"liaison", "liaison_other"}:
        agency = "DPUPR" if caller == "liaison" else "DLH"
        return await make_complaint(client, world, state, "citizen_app", agency)
    submitter = caller if _role(caller) in REPORTERS else "citizen_app"
    return await make_complaint(client, world, state, submitter)


@pytest.fixture
async def shared(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return {
        "A": await make_complaint(client, world, "dispatched", "citizen_app"),
        "B": await make_complaint(client, world, "received", "operator"),
        "C": await make_complaint(
            client, world, "received", "citizen_app_kupang", "KUPANG-PU", "admin_kupang"
        ),
    }


@pytest.mark.parametrize("route", sorted(ACTIONS))
async def test_action_matrix(
    client: httpx.AsyncClient, world: World, shared: dict[str, str], route: str
) -> None:
    method, allowed, state, body = ACTIONS[route]
    wrong: list[str] = []
    for caller in CALLERS:
        kupang = caller.endswith("_kupang")
        payload = _body(world, body, kupang)
        expected_cases: list[tuple[str, str, int]] = []
        if _role(caller) not in allowed:
            expected_cases = [(case, cid, 403) for case, cid in shared.items()]
        else:
            expected_cases = [
                (case, cid, 404) for case, cid in shared.items() if caller not in VISIBLE[case]
            ]
            if (caller, route) not in NOT_BUILDABLE:
                own = await _own_complaint(client, world, caller, state)
                expected_cases.append(("own", own, 200))
        for case, cid, expected in expected_cases:
            answer = await client.request(
                method, f"/v1/complaints/{cid}/{route}", json=payload, headers=world.h(caller)
            )
            if answer.status_code != expected:
                wrong.append(f"{caller} {case}: {answer.status_code} != {expected} {answer.text}")
            elif expected != 200:
                assert answer.json()["error"]["code"]
    assert wrong == []


@pytest.mark.parametrize("suffix", READS)
async def test_read_matrix(
    client: httpx.AsyncClient, world: World, shared: dict[str, str], suffix: str
) -> None:
    wrong = []
    for caller in CALLERS:
        for case, cid in shared.items():
            expected = 200 if caller in VISIBLE[case] else 404
            answer = await client.get(f"/v1/complaints/{cid}{suffix}", headers=world.h(caller))
            if answer.status_code != expected:
                wrong.append(f"{caller} {case}: {answer.status_code} != {expected}")
    assert wrong == []


async def test_list_shows_exactly_what_each_caller_may_see(
    client: httpx.AsyncClient, world: World, shared: dict[str, str]
) -> None:
    for caller in CALLERS:
        answer = await client.get("/v1/complaints", headers=world.h(caller))
        assert answer.status_code == 200, caller
        seen = {item["id"] for item in answer.json()["items"]}
        expected = {cid for case, cid in shared.items() if caller in VISIBLE[case]}
        assert seen == expected, caller


async def test_intake_is_for_intake_roles_only(client: httpx.AsyncClient, world: World) -> None:
    for caller in CALLERS:
        answer = await client.post(
            "/v1/complaints",
            json={"channel": "web", "text": "Sampah menumpuk di pasar."},
            headers=world.h(caller),
        )
        assert answer.status_code == (201 if _role(caller) in INTAKE else 403), caller


async def test_supervisor_reads_everything_and_changes_nothing(
    client: httpx.AsyncClient, world: World, shared: dict[str, str]
) -> None:
    for cid in (shared["A"], shared["B"]):
        assert (await client.get(f"/v1/complaints/{cid}", headers=world.h("supervisor"))).is_success
        for route, (method, _, _, body) in ACTIONS.items():
            answer = await client.request(
                method,
                f"/v1/complaints/{cid}/{route}",
                json=_body(world, body, False),
                headers=world.h("supervisor"),
            )
            assert answer.status_code == 403, route


ADMIN_ROUTES: list[tuple[str, str, set[str], dict[str, Any] | None]] = [
    ("GET", "/v1/clients", {"admin"}, None),
    ("POST", "/v1/clients", {"admin"}, {"name": "App X", "role": "citizen_app"}),
    ("GET", "/v1/audit/identity-access", {"admin", "supervisor"}, None),
    ("POST", "/v1/reporters/search", {"admin"}, {"phone": "0812345678", "reason": "Permintaan."}),
]


@pytest.mark.parametrize(("method", "path", "allowed", "body"), ADMIN_ROUTES)
async def test_administration_routes_by_role(
    client: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    allowed: set[str],
    body: dict[str, Any] | None,
) -> None:
    for caller in CALLERS:
        answer = await client.request(method, path, json=body, headers=world.h(caller))
        if _role(caller) in allowed:
            assert answer.is_success, (caller, answer.text)
        else:
            assert answer.status_code == 403, caller
    assert (await client.request(method, path, json=body)).status_code == 401


# Ombudsman cases (app/ombudsman): the narahubung and admins manage them, a liaison sees and
# answers those of their own agency, supervisors see all, nobody else any.
OMBUDSMAN_CALLERS = [*CALLERS, "narahubung"]
OMBUDSMAN_MANAGERS = {"admin", "ombudsman_liaison"}
OMBUDSMAN_READERS = {*OMBUDSMAN_MANAGERS, "supervisor", "liaison"}
OMBUDSMAN_VISIBLE = {
    "X": {"admin", "supervisor", "narahubung", "liaison"},  # reported: DPUPR
    "Y": {"admin", "supervisor", "narahubung", "liaison_other"},  # reported: DLH
    "Z": {"admin_kupang"},  # Kota Kupang's
}
OMBUDSMAN_AGENCY = {"liaison": "DPUPR", "liaison_other": "DLH", "admin_kupang": "KUPANG-PU"}


async def _ombudsman_case(
    client: httpx.AsyncClient, world: World, agency: str, by: str, step: str | None = None
) -> tuple[str, str | None]:
    """A case reported against `agency`, made by `by`, with an open `step` of that kind."""
    created = await client.post(
        "/v1/ombudsman-cases",
        json={
            "letter_number": f"B/{uuid.uuid4().hex[:8]}",
            "letter_date": "2026-03-12",
            "perwakilan": "Perwakilan Jawa Timur",
            "subject": "Penundaan berlarut",
            "agency_id": str(world.agencies[agency]),
            "citizen": {"name": "Budi"},
        },
        headers=world.h(by),
    )
    assert created.status_code == 201, created.text
    case_id: str = created.json()["id"]
    if step is None:
        return case_id, None
    asked = await client.post(
        f"/v1/ombudsman-cases/{case_id}/clarifications",
        json={"description": "Mohon data."},
        headers=world.h(by),
    )
    step_id: str = asked.json()["steps"][0]["id"]
    return case_id, step_id


# route (after the case's path) -> (method, allowed roles, needs an open clarification, body)
OMBUDSMAN_ACTIONS: dict[str, tuple[str, set[str], bool, dict[str, Any] | None]] = {
    "": ("PATCH", OMBUDSMAN_MANAGERS, False, {"subject": "Perihal baru"}),
    "/clarifications": ("POST", OMBUDSMAN_MANAGERS, False, {"description": "Mohon data."}),
    "/clarifications/{step}/answer": (
        "POST",
        {*OMBUDSMAN_MANAGERS, "liaison"},
        True,
        {"answer": "Terlampir."},
    ),
    "/lahp": (
        "POST",
        OMBUDSMAN_MANAGERS,
        False,
        {"conclusion": "examination_stopped", "lahp_number": "L-1"},
    ),
    "/reveal-citizen": ("POST", OMBUDSMAN_MANAGERS, False, {"reason": "Klarifikasi pelapor."}),
}


@pytest.fixture
async def ombudsman_shared(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return {
        "X": (await _ombudsman_case(client, world, "DPUPR", "narahubung"))[0],
        "Y": (await _ombudsman_case(client, world, "DLH", "admin"))[0],
        "Z": (await _ombudsman_case(client, world, "KUPANG-PU", "admin_kupang"))[0],
    }


@pytest.mark.parametrize("suffix", ["", "/events"])
async def test_ombudsman_read_matrix(
    client: httpx.AsyncClient, world: World, ombudsman_shared: dict[str, str], suffix: str
) -> None:
    wrong = []
    for caller in OMBUDSMAN_CALLERS:
        for case, cid in ombudsman_shared.items():
            if _role(caller) not in OMBUDSMAN_READERS:
                expected = 403
            else:
                expected = 200 if caller in OMBUDSMAN_VISIBLE[case] else 404
            answer = await client.get(f"/v1/ombudsman-cases/{cid}{suffix}", headers=world.h(caller))
            if answer.status_code != expected:
                wrong.append(f"{caller} {case}: {answer.status_code} != {expected}")
        listed = await client.get("/v1/ombudsman-cases", headers=world.h(caller))
        if _role(caller) not in OMBUDSMAN_READERS:
            if listed.status_code != 403:
                wrong.append(f"{caller} list: {listed.status_code} != 403")
            continue
        seen = {i["id"] for i in listed.json()["items"]}
        want = {cid for case, cid in ombudsman_shared.items() if caller in OMBUDSMAN_VISIBLE[case]}
        if seen != want:
            wrong.append(f"{caller} list: {sorted(seen)} != {sorted(want)}")
    assert wrong == []


@pytest.mark.parametrize("route", sorted(OMBUDSMAN_ACTIONS))
async def test_ombudsman_action_matrix(
    client: httpx.AsyncClient, world: World, ombudsman_shared: dict[str, str], route: str
) -> None:
    method, allowed, needs_step, body = OMBUDSMAN_ACTIONS[route]
    wrong: list[str] = []
    for caller in OMBUDSMAN_CALLERS:
        cases: list[tuple[str, str, str | None, int]]
        if _role(caller) not in allowed:
            cases = [(case, cid, None, 403) for case, cid in ombudsman_shared.items()]
        else:
            cases = [
                (case, cid, None, 404)
                for case, cid in ombudsman_shared.items()
                if caller not in OMBUDSMAN_VISIBLE[case]
            ]
            agency = OMBUDSMAN_AGENCY.get(caller, "DPUPR")
            by = "admin_kupang" if caller == "admin_kupang" else "narahubung"
            own, step_id = await _ombudsman_case(
                client, world, agency, by, "x" if needs_step else None
            )
            cases.append(("own", own, step_id, 200))
        for case, cid, step_id, expected in cases:
            path = route.replace("{step}", step_id or str(uuid.uuid4()))
            answer = await client.request(
                method, f"/v1/ombudsman-cases/{cid}{path}", json=body, headers=world.h(caller)
            )
            ok = (
                200 <= answer.status_code < 300
                if expected == 200
                else answer.status_code == expected
            )
            if not ok:
                wrong.append(f"{caller} {case}: {answer.status_code} != {expected} {answer.text}")
    assert wrong == []
