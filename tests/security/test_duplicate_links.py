"""Links between complaints (possible_duplicate_of, duplicate_of) are for admins only, in every
read: detail, action answers, list, events, public tracking (issue 9, item 2).

Every complaint here has the same reporter and text, so each links to an earlier one; the first
is anonymous, so a liaison who sees the named reporter of a later one must not learn that the
anonymous reporter is the same person.
"""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.complaint_states import make_complaint
from tests.complaints.support import fetch
from tests.factories import World
from tests.security.test_access_matrix import CALLERS as ACCESS_MATRIX_CALLERS

# Every caller of the access matrix that has a complaint here (one jurisdiction, so not Kupang).
CALLERS = [c for c in ACCESS_MATRIX_CALLERS if c != "operator_other" and "kupang" not in c]
LINKS = ("possible_duplicate_of", "duplicate_of")


@pytest.fixture
async def linked(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """One complaint per kind of viewer, all by the same reporter; the first is anonymous."""
    return {
        "anonymous": await make_complaint(
            client, world, "dispatched", "citizen_app", anonymous=True
        ),
        "app": await make_complaint(client, world, "dispatched", "citizen_app"),
        "other_app": await make_complaint(client, world, "received", "citizen_app_other"),
        "operator": await make_complaint(client, world, "received", "operator"),
        "gateway": await make_complaint(client, world, "received", "gateway"),
        "hub": await make_complaint(client, world, "received", "hub"),
        "dlh": await make_complaint(client, world, "dispatched", "citizen_app", "DLH"),
    }


async def _stored(engine: AsyncEngine) -> dict[str, str | None]:
    rows = await fetch(engine, "SELECT id, possible_duplicate_of FROM complaints")
    return {
        str(r["id"]): str(r["possible_duplicate_of"]) if r["possible_duplicate_of"] else None
        for r in rows
    }


async def _received_data(client: httpx.AsyncClient, world: World, who: str, cid: str) -> Any:
    events = await client.get(f"/v1/complaints/{cid}/events", headers=world.h(who))
    assert events.status_code == 200
    return events.json()["items"][0]["data"]


async def test_every_role_sees_links_only_as_an_admin(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, linked: dict[str, str]
) -> None:
    stored = await _stored(engine)
    assert stored[linked["anonymous"]] is None
    assert stored[linked["app"]] == linked["anonymous"]  # named -> anonymous, kept for admins
    for caller in CALLERS:
        listed = await client.get("/v1/complaints", headers=world.h(caller))
        items = listed.json()["items"]
        assert not any(set(LINKS) & set(item) for item in items), caller
        visible = [item["id"] for item in items]
        # Not vacuous: everyone sees at least one complaint that has a stored link.
        assert any(stored[cid] for cid in visible), caller
        for cid in visible:
            detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h(caller))).json()
            data = await _received_data(client, world, caller, cid)
            if caller == "admin":
                assert detail["possible_duplicate_of"] == stored[cid]
                assert data.get("possible_duplicate_of") == stored[cid]
            else:
                assert detail["possible_duplicate_of"] is None, caller
                assert detail["duplicate_of"] is None, caller
                assert not set(LINKS) & set(data), caller
                assert data["channel"] == detail["channel"]  # the rest of the event is there


async def test_public_tracking_and_action_answers_carry_no_link(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, linked: dict[str, str]
) -> None:
    stored = await _stored(engine)
    for cid, link in stored.items():
        detail = await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))
        tracked = await client.get(f"/v1/track/{detail.json()['tracking_id']}")
        assert tracked.status_code == 200
        assert "duplicate" not in tracked.text
        assert link is None or link not in tracked.text
    # An action answers with the complaint as its caller may see it.
    ack = await client.post(
        f"/v1/complaints/{linked['app']}/acknowledge", headers=world.h("liaison")
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["possible_duplicate_of"] is None
    extend = await client.post(
        f"/v1/complaints/{linked['app']}/extend",
        json={"working_days": 2, "reason": "Anggaran."},
        headers=world.h("admin"),
    )
    assert extend.json()["possible_duplicate_of"] == linked["anonymous"]


async def test_an_archive_as_duplicate_names_the_original_to_admins_only(
    client: httpx.AsyncClient, world: World, linked: dict[str, str]
) -> None:
    cid = linked["operator"]
    archived = await client.post(
        f"/v1/complaints/{cid}/archive",
        json={"reason": "duplicate", "duplicate_of": linked["anonymous"]},
        headers=world.h("admin"),
    )
    assert archived.json()["duplicate_of"] == linked["anonymous"]
    for who, expected in (("admin", linked["anonymous"]), ("operator", None)):
        detail = (await client.get(f"/v1/complaints/{cid}", headers=world.h(who))).json()
        assert detail["archived_reason"] == "duplicate"
        assert detail["duplicate_of"] == expected, who
        events = await client.get(f"/v1/complaints/{cid}/events", headers=world.h(who))
        archive = events.json()["items"][-1]
        assert archive["type"] == "archived"
        assert archive["data"].get("duplicate_of") == expected, who
