"""Callbacks never carry a link to another complaint, however the complaints are related."""

import json

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.outbox.engine import Engine
from tests.complaints.support import fetch
from tests.factories import World
from tests.webhooks.conftest import new_complaint, register
from tests.webhooks.receiver import Receiver

THIN = {"complaint_id", "tracking_id", "seq", "status", "agency_id"}


async def test_a_linked_complaint_is_announced_without_its_link(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    await register(hclient, world, receiver.url())
    first = await new_complaint(hclient, world, anonymous=True)
    second = await new_complaint(hclient, world, callback_url=receiver.url("/callback"))
    link = await fetch(
        engine, "SELECT possible_duplicate_of FROM complaints WHERE id = :id", id=second["id"]
    )
    assert str(link[0]["possible_duplicate_of"]) == first["id"]  # stored, for the admins
    await fan_out()
    while await dispatcher.run_batch():
        pass
    hits = receiver.on("/hook") + receiver.on("/callback")
    about_second = [json.loads(h.body) for h in hits if second["id"].encode() in h.body]
    assert len(about_second) == 2  # the endpoint's copy and the callback
    for body in about_second:
        assert set(body["data"]) == THIN
        assert first["id"] not in json.dumps(body)
