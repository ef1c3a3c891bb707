"""Complaints in a given state, built over HTTP the way clients build them."""

from typing import Any

import httpx

from tests.factories import World

CHANNEL_OF = {"operator": "call_center", "operator_other": "call_center", "gateway": "sms_1708"}
REPORTER = {"name": "Siti Aminah", "nik": "3521010101900001", "phone": "081234567890"}


def complaint_body(submitter: str, **extra: Any) -> dict[str, Any]:
    return {
        "channel": CHANNEL_OF.get(submitter, "mobile_app"),
        "text": "Lampu jalan di Jl. Raya Beran mati sejak seminggu.",
        "title": "Lampu jalan mati",
        "reporter": REPORTER,
        **extra,
    }


async def make_complaint(
    client: httpx.AsyncClient,
    world: World,
    state: str = "received",
    submitter: str = "citizen_app",
    agency: str = "DPUPR",
    admin: str = "admin",
    **extra: Any,
) -> str:
    """A complaint taken in by `submitter` and moved to `state`; returns its id."""
    created = await client.post(
        "/v1/complaints", json=complaint_body(submitter, **extra), headers=world.h(submitter)
    )
    assert created.status_code == 201, created.text
    cid: str = created.json()["id"]
    steps: list[tuple[str, dict[str, Any]]] = {
        "received": [],
        "needs_info": [("request-info", {"message": "Mohon lengkapi alamat."})],
        "verified": [("verify", {"type": "non_field"})],
        "dispatched": [("verify", {"type": "non_field", "agency_id": str(world.agencies[agency])})],
        "responded": [
            ("verify", {"type": "non_field", "agency_id": str(world.agencies[agency])}),
            ("responses", {"message": "Sudah diperbaiki."}),
        ],
        "closed": [
            ("verify", {"type": "non_field", "agency_id": str(world.agencies[agency])}),
            ("responses", {"message": "Sudah diperbaiki."}),
        ],
        "archived": [("archive", {"reason": "unclear"})],
    }[state]
    for action, body in steps:
        done = await client.post(
            f"/v1/complaints/{cid}/{action}", json=body, headers=world.h(admin)
        )
        assert done.status_code == 200, done.text
    if state == "closed":
        closed = await client.post(
            f"/v1/complaints/{cid}/feedback",
            json={"rating": 5, "satisfied": True},
            headers=world.h(submitter),
        )
        assert closed.status_code == 200, closed.text
    return cid
