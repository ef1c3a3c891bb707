"""Helpers for routing tests that go through the API: take in, verify, read the decision."""

from typing import Any

import httpx

from tests.factories import World

# What the three decision paths (intake, rule test, verify) must agree on.
COMPARED = ("outcome", "agency_id", "reason", "probability", "threshold", "candidates", "cues")


async def take_in(
    client: httpx.AsyncClient, world: World, text: str, region: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"channel": "sms_1708", "text": text}
    if region:
        body["location"] = {"region_code": region}
    r = await client.post("/v1/complaints", json=body, headers=world.h("gateway"))
    assert r.status_code == 201, r.text
    full = await client.get(f"/v1/complaints/{r.json()['id']}", headers=world.h("admin"))
    return dict(full.json())


async def verify(
    client: httpx.AsyncClient, world: World, complaint_id: str
) -> tuple[str, list[dict[str, Any]]]:
    """Verify without an agency; the status it ends in and the events it recorded."""
    r = await client.post(
        f"/v1/complaints/{complaint_id}/verify",
        json={"type": "field_inspection"},
        headers=world.h("admin"),
    )
    assert r.status_code == 200, r.text
    events = await client.get(f"/v1/complaints/{complaint_id}/events", headers=world.h("admin"))
    return str(r.json()["status"]), list(events.json()["items"])


def routing_of_event(event: dict[str, Any]) -> dict[str, Any]:
    data = dict(event["data"])
    if event["type"] == "verified":
        data = dict(data["routing"])
    data["outcome"] = data.pop("routed_by")
    data["agency_id"] = event["data"].get("agency_id")
    return data
