"""A `channel_ref` belongs to whoever sent it: redelivery is per sender, another sender's equal
reference is another complaint (issue 9, item 1). Provider doors: tests/channels."""

import asyncio
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.complaints.intake import take_in
from app.complaints.schemas import ComplaintCreate
from app.hub.sync import hub_principal
from app.jurisdictions.service import load_context
from app.kernel.clock import SystemClock
from app.kernel.config import Settings
from tests.channels.conftest import cipher_for
from tests.complaints.support import BASE, fetch, live_server
from tests.factories import World

TEXT_A = "Lampu penerangan jalan di Desa Beran mati sejak seminggu."
TEXT_B = "Sampah di Pasar Besar Ngawi tidak diangkut tiga hari."


PHONES = {"Ani": "081211110000", "Budi": "081222220000"}


def _body(text: str, name: str, **extra: object) -> dict[str, object]:
    return BASE | {"text": text, "reporter": {"name": name, "phone": PHONES[name]}} | extra


async def test_two_apps_with_one_message_id_each_get_their_own_complaint(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    a_body = _body(TEXT_A, "Ani", channel_ref="msg-1")
    b_body = _body(TEXT_B, "Budi", channel_ref="msg-1")
    a = await client.post("/v1/complaints", json=a_body, headers=world.h("citizen_app"))
    b = await client.post("/v1/complaints", json=b_body, headers=world.h("citizen_app_other"))
    assert (a.status_code, b.status_code) == (201, 201), b.text
    assert b.json()["existing"] is False
    assert b.json()["id"] != a.json()["id"]
    assert b.json()["tracking_id"] != a.json()["tracking_id"]
    # Each sender's redelivery answers with its own complaint.
    for who, body, first in (("citizen_app", a_body, a), ("citizen_app_other", b_body, b)):
        again = await client.post("/v1/complaints", json=body, headers=world.h(who))
        assert again.status_code == 200
        assert again.json() | {"existing": False} == first.json()
        assert again.json()["existing"] is True
    # The second app reads its own citizen's complaint, and never the first app's.
    own = await client.get(f"/v1/complaints/{b.json()['id']}", headers=world.h("citizen_app_other"))
    assert own.json()["text"] == TEXT_B
    other = await client.get(
        f"/v1/complaints/{a.json()['id']}", headers=world.h("citizen_app_other")
    )
    assert other.status_code == 404
    tracked = await client.get(f"/v1/track/{b.json()['tracking_id']}")
    assert tracked.json()["text"] == TEXT_B
    rows = await fetch(
        engine,
        "SELECT c.text, c.submitted_by FROM complaints c"
        " JOIN reporters r ON r.complaint_id = c.id ORDER BY c.received_at",
    )
    assert [(r["text"], r["submitted_by"]) for r in rows] == [
        (TEXT_A, world.ids["citizen_app"]),
        (TEXT_B, world.ids["citizen_app_other"]),
    ]


async def test_two_operators_with_one_call_reference_each_get_their_own_complaint(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    fields = {"channel": "call_center", "channel_ref": "call-0001"}
    first = await client.post(
        "/v1/complaints", json=_body(TEXT_A, "Ani", **fields), headers=world.h("operator")
    )
    second = await client.post(
        "/v1/complaints", json=_body(TEXT_B, "Budi", **fields), headers=world.h("operator_other")
    )
    again = await client.post(
        "/v1/complaints", json=_body(TEXT_A, "Ani", **fields), headers=world.h("operator")
    )
    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 200)
    assert second.json()["id"] != first.json()["id"]
    assert again.json()["id"] == first.json()["id"]
    assert len(await fetch(engine, "SELECT id FROM complaints")) == 2


async def test_concurrent_redeliveries_by_two_senders_make_one_complaint_each(
    settings: Settings, world: World, engine: AsyncEngine
) -> None:
    senders = {"citizen_app": _body(TEXT_A, "Ani"), "citizen_app_other": _body(TEXT_B, "Budi")}
    async with live_server(settings) as base, httpx.AsyncClient(base_url=base) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/v1/complaints", json=body | {"channel_ref": "m-7"}, headers=world.h(who)
                )
                for who, body in senders.items()
                for _ in range(6)
            )
        )
    rows = await fetch(engine, "SELECT id, submitted_by FROM complaints")
    owner = {r["id"]: r["submitted_by"] for r in rows}
    assert sorted(owner.values()) == sorted(world.ids[w] for w in senders)
    for n, who in enumerate(senders):
        mine = answers[n * 6 : (n + 1) * 6]
        assert sorted(a.status_code for a in mine) == [200] * 5 + [201]
        ids = {uuid.UUID(a.json()["id"]) for a in mine}
        assert len(ids) == 1
        assert owner[ids.pop()] == world.ids[who]


async def test_a_hub_disposition_taken_in_twice_is_one_complaint(
    world: World, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # The hub sync's caller is stable per jurisdiction, so its pulls stay idempotent by hub id
    # even when two pulls race past the hub-link check.
    body = ComplaintCreate.model_validate(
        {"channel": "lapor_hub", "text": TEXT_A, "channel_ref": "HUB-123"}
    )
    results = []
    for _ in range(2):
        async with sessions() as session, session.begin():
            ctx = await load_context(session, world.jurisdiction_id)
            principal = hub_principal(world.jurisdiction_id)
            results.append(
                await take_in(
                    session, ctx, cipher_for(settings), principal, body, now=SystemClock().now()
                )
            )
    assert [r.created for r in results] == [True, False]
    assert results[1].body.id == results[0].body.id
