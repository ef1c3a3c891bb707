"""`allowed_actions` tells each caller exactly what it may do: for every role and every status,
each action listed succeeds for that caller, and each action not listed is refused."""

from typing import Any

import httpx
import pytest

from app.complaints.lifecycle import TRANSITIONS
from app.complaints.permissions import ACTION_ROLES, allow
from tests.complaint_states import make_complaint
from tests.factories import World

# lifecycle action -> (route, body); "{other}" is an agency the complaint is not with.
ROUTES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "verify": ("verify", {"type": "non_field"}),
    "request_info": ("request-info", {"message": "Mohon foto lokasi."}),
    "supply_info": ("info", {"text": "Lokasinya depan balai desa."}),
    "archive": ("archive", {"reason": "unclear"}),
    "dispatch": ("dispatch", {"agency_id": "{other}"}),
    "acknowledge": ("acknowledge", None),
    "transfer": ("transfer", {"agency_id": "{other}", "reason": "Bukan wewenang kami."}),
    "respond": ("responses", {"message": "Sudah diperbaiki."}),
    "feedback_satisfied": ("feedback", {"rating": 5, "satisfied": True}),
    "feedback_unsatisfied": ("feedback", {"rating": 1, "satisfied": False}),
    "extend": ("extend", {"working_days": 2, "reason": "Perlu survei."}),
}
# caller -> who submits the complaints it looks at (each caller must be able to see them)
CALLERS = {
    "admin": "citizen_app",
    "supervisor": "citizen_app",
    "liaison": "citizen_app",  # sees DPUPR's only: not before dispatch
    "agency_system": "citizen_app",  # the same
    "operator": "operator",
    "citizen_app": "citizen_app",
    "gateway": "gateway",
    "hub": "hub",
}
AGENCY_BOUND = {"liaison", "agency_system"}
STATES = ["received", "needs_info", "verified", "dispatched", "in_progress", "responded"]
STATES += ["closed", "archived", "needs_info_after_verify"]


async def _complaint(client: httpx.AsyncClient, world: World, state: str, submitter: str) -> str:
    if state == "in_progress":
        cid = await make_complaint(client, world, "dispatched", submitter)
        done = await client.post(f"/v1/complaints/{cid}/acknowledge", headers=world.h("liaison"))
        assert done.status_code == 200, done.text
        return cid
    if state == "needs_info_after_verify":  # a paused clock: a deadline to extend
        cid = await make_complaint(client, world, "dispatched", submitter)
        done = await client.post(
            f"/v1/complaints/{cid}/request-info",
            json={"message": "Mohon foto."},
            headers=world.h("admin"),
        )
        assert done.status_code == 200, done.text
        return cid
    return await make_complaint(client, world, state, submitter)


def _body(world: World, action: str) -> dict[str, Any] | None:
    body = ROUTES[action][1]
    if body is None or body.get("agency_id") != "{other}":
        return body
    return {**body, "agency_id": str(world.agencies["DINSOS"])}


async def _try(
    client: httpx.AsyncClient, world: World, caller: str, cid: str, action: str
) -> httpx.Response:
    route = ROUTES[action][0]
    return await client.post(
        f"/v1/complaints/{cid}/{route}", json=_body(world, action), headers=world.h(caller)
    )


def test_every_lifecycle_action_has_its_roles_and_every_route_uses_them() -> None:
    assert set(ACTION_ROLES) == set(TRANSITIONS)
    assert set(ROUTES) == {a for a, roles in ACTION_ROLES.items() if roles}
    assert (
        allow("feedback_satisfied", "feedback_unsatisfied").roles
        == ACTION_ROLES["feedback_satisfied"]
    )


@pytest.mark.parametrize("caller", sorted(CALLERS))
async def test_listed_actions_succeed_and_the_rest_are_refused(
    client: httpx.AsyncClient, world: World, caller: str
) -> None:
    wrong: list[str] = []
    for state in STATES:
        if state == "closed" and caller == "hub":  # only a reporter's feedback closes
            continue
        cid = await _complaint(client, world, state, CALLERS[caller])
        seen = await client.get(f"/v1/complaints/{cid}", headers=world.h(caller))
        if seen.status_code == 404:  # not visible to this caller: nothing to offer
            assert caller in AGENCY_BOUND
            assert state in {"received", "needs_info", "verified", "archived"}
            continue
        assert seen.status_code == 200, seen.text
        listed = set(seen.json()["allowed_actions"])
        assert listed <= set(ROUTES), listed
        for action in sorted(set(ROUTES) - listed):  # refused: nothing changes, so one complaint
            answer = await _try(client, world, caller, cid, action)
            if answer.status_code < 400:
                wrong.append(
                    f"{caller} {state}: {action} not listed but answered {answer.status_code}"
                )
        for action in sorted(listed):  # each on a fresh complaint in the same state
            fresh = await _complaint(client, world, state, CALLERS[caller])
            answer = await _try(client, world, caller, fresh, action)
            if answer.status_code != 200:
                wrong.append(
                    f"{caller} {state}: {action} listed but {answer.status_code} {answer.text}"
                )
    assert wrong == []
