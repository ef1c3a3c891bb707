"""Case events reach the callback endpoints subscribed to them by name, signed like complaint
events and without the citizen; endpoints left on the default list get complaint events only."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.main import create_app
from tests.engines import worker
from tests.factories import World
from tests.ombudsman.conftest import CITIZEN, make_case
from tests.webhooks.receiver import Receiver


@pytest.fixture
def hook_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"webhook_allow_loopback": True, "attachments_dir": str(tmp_path / "files")}
    )


@pytest.fixture
async def client(
    hook_settings: Settings, engine: AsyncEngine, clock: ManualClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(hook_settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


async def test_case_events_reach_their_subscribers_only(
    client: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    hook_settings: Settings,
    engine: AsyncEngine,
    clock: ManualClock,
) -> None:
    subscribed = await client.post(
        "/v1/webhook-endpoints",
        json={
            "url": receiver.url("/ombudsman"),
            "event_types": ["ombudsman.received", "ombudsman.lahp_received"],
        },
        headers=world.h("admin"),
    )
    assert subscribed.status_code == 201, subscribed.text
    default = await client.post(
        "/v1/webhook-endpoints", json={"url": receiver.url("/default")}, headers=world.h("admin")
    )
    assert "ombudsman.received" not in default.json()["event_types"]
    unknown = await client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url("/x"), "event_types": ["ombudsman.nope"]},
        headers=world.h("admin"),
    )
    assert unknown.status_code == 422

    case = await make_case(client, world, citizen=CITIZEN)
    await client.post(
        f"/v1/ombudsman-cases/{case['id']}/clarifications",
        json={"description": "Data?"},
        headers=world.h("narahubung"),
    )
    await client.post(
        f"/v1/ombudsman-cases/{case['id']}/lahp",
        json={"conclusion": "examination_stopped", "lahp_number": "L-1"},
        headers=world.h("narahubung"),
    )
    async with worker(hook_settings, engine, db_only=True, clock=clock) as db_only:
        while await db_only.run_batch():
            pass
    # Deliveries are due by the database's clock, as complaint deliveries are: the sender runs
    # on the system clock, not the test's March.
    async with worker(hook_settings, engine, topics={"webhook"}) as sender:
        while await sender.run_batch():  # in order: each case's next event after the last
            pass

    hits = receiver.on("/ombudsman")
    bodies = [json.loads(h.body) for h in hits]
    assert [b["type"] for b in bodies] == ["ombudsman.received", "ombudsman.lahp_received"]
    assert bodies[0]["data"]["case_id"] == case["id"]
    assert bodies[1]["data"]["stage"] == "closed"
    assert all("webhook-signature" in h.headers for h in hits)
    assert all(CITIZEN["name"] not in h.body.decode() for h in hits)
    assert receiver.on("/default") == []
    listed = await client.get(
        f"/v1/webhook-endpoints/{subscribed.json()['id']}/deliveries", headers=world.h("admin")
    )
    items = listed.json()["items"]
    assert {(i["ombudsman_case_id"], i["complaint_id"], i["status"]) for i in items} == {
        (case["id"], None, "done")
    }
