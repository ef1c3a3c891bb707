"""Deliveries to a real receiver on 127.0.0.1: signatures, retries, order, failures."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook

from app.outbox.engine import Engine
from tests.factories import World
from tests.webhooks.conftest import deliveries, make_due, new_complaint, register
from tests.webhooks.receiver import Answer, Receiver


async def _verify_and_dispatch(client: httpx.AsyncClient, world: World, cid: str) -> None:
    resp = await client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    assert resp.status_code == 200, resp.text


async def test_receiver_gets_every_change_signed_in_order(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    ep = await register(hclient, world, receiver.url())
    assert ep["secret"].startswith("whsec_")
    receiver.secret = ep["secret"]
    c = await new_complaint(hclient, world)
    await _verify_and_dispatch(hclient, world, c["id"])
    await fan_out()
    while await dispatcher.run_batch():
        pass
    assert [h.verified for h in receiver.on("/hook")] == [True, True, True]
    hook = Webhook(ep["secret"])
    bodies = [hook.verify(h.body, h.headers) for h in receiver.on("/hook")]
    assert [b["type"] for b in bodies] == [
        "complaint.received",
        "complaint.verified",
        "complaint.dispatched",
    ]
    assert [b["data"]["seq"] for b in bodies] == [1, 2, 3]
    assert [b["data"]["status"] for b in bodies] == ["received", "verified", "dispatched"]
    first = bodies[0]
    assert set(first) == {"type", "id", "occurred_at", "data"}
    assert first["data"]["complaint_id"] == c["id"]
    assert first["data"]["tracking_id"] == c["tracking_id"]
    assert [h.headers["webhook-id"] for h in receiver.on("/hook")] == [b["id"] for b in bodies]


async def test_500_then_200_retries_with_the_same_webhook_id(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(500, body=b"database down"))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    before = datetime.now(UTC)
    assert await dispatcher.run_batch() == 1
    [d] = await deliveries(engine)
    assert (d.status, d.attempts, d.last_status_code) == ("pending", 1, 500)
    # The second attempt waits about 5 s (with jitter), not at once.
    assert timedelta(seconds=4) <= d.available_at - before <= timedelta(seconds=7)
    assert await dispatcher.run_batch() == 0
    await make_due(engine)
    assert await dispatcher.run_batch() == 1
    [d] = await deliveries(engine)
    assert (d.status, d.attempts, d.last_status_code) == ("done", 2, 200)
    hits = receiver.on("/hook")
    assert len(hits) == 2
    assert hits[0].headers["webhook-id"] == hits[1].headers["webhook-id"]
    assert hits[0].body == hits[1].body
    log = await hclient.get(
        f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=world.h("admin")
    )
    assert log.status_code == 200, log.text
    [item] = log.json()["items"]
    assert item["status"] == "done"
    attempts = sorted(item["attempt_log"], key=lambda a: a["attempted_at"])
    assert [a["status_code"] for a in attempts] == [500, 200]
    assert attempts[0]["response_excerpt"] == "database down"
    assert all(a["duration_ms"] >= 0 for a in attempts)


async def test_slow_receiver_times_out_and_is_retried(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(200, delay=3.0))  # timeout is 1 s in these tests
    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert d.status == "pending"
    assert d.last_status_code is None
    assert "timeout" in d.last_error


async def test_410_disables_the_endpoint_and_tells_the_admins(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(410))
    ep = await register(hclient, world, receiver.url())
    c = await new_complaint(hclient, world)
    await _verify_and_dispatch(hclient, world, c["id"])
    await fan_out()
    await dispatcher.run_batch()
    got = await hclient.get(f"/v1/webhook-endpoints/{ep['id']}", headers=world.h("admin"))
    assert got.json()["active"] is False
    assert "410" in got.json()["disabled_reason"]
    await make_due(engine)
    assert await dispatcher.run_batch() == 0  # nothing more goes to a disabled endpoint
    assert len(receiver.on("/hook")) == 1
    async with engine.connect() as conn:
        notice = (
            await conn.execute(
                text("SELECT payload FROM outbox_messages WHERE topic = 'admin_notice'")
            )
        ).scalar_one()
    assert notice["kind"] == "webhook_endpoint_disabled"
    assert notice["endpoint_id"] == ep["id"]
    # Re-enabled, what was owed flows again, in order.
    again = await hclient.patch(
        f"/v1/webhook-endpoints/{ep['id']}", json={"active": True}, headers=world.h("admin")
    )
    assert again.json()["disabled_reason"] is None
    await make_due(engine)
    while await dispatcher.run_batch():
        pass
    seqs = [json.loads(h.body)["data"]["seq"] for h in receiver.on("/hook")]
    assert seqs == [1, 1, 2, 3]


async def test_429_with_retry_after_is_honoured(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(429, headers={"Retry-After": "120"}))
    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    before = datetime.now(UTC)
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert d.status == "pending"
    assert timedelta(seconds=119) <= d.available_at - before <= timedelta(seconds=125)


async def test_a_redirect_is_a_failure_and_is_not_followed(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(302, headers={"Location": receiver.url("/elsewhere")}))
    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert (d.status, d.last_status_code) == ("pending", 302)
    assert receiver.on("/elsewhere") == []


async def test_a_dropped_connection_is_logged_and_retried(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(drop=True))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert d.status == "pending"
    assert d.last_status_code is None
    await make_due(engine)
    await dispatcher.run_batch()
    log = await hclient.get(
        f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=world.h("admin")
    )
    attempts = sorted(log.json()["items"][0]["attempt_log"], key=lambda a: a["attempted_at"])
    assert attempts[0]["status_code"] is None
    assert attempts[0]["error"]
    assert attempts[1]["status_code"] == 200


async def test_a_later_event_waits_while_an_earlier_one_is_retried(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(500), Answer(500))
    await register(hclient, world, receiver.url())
    c = await new_complaint(hclient, world)
    await _verify_and_dispatch(hclient, world, c["id"])
    await fan_out()
    await dispatcher.run_batch()  # seq 1 fails; 2 and 3 are not even tried
    await make_due(engine)
    await dispatcher.run_batch()  # seq 1 fails again
    assert [json.loads(h.body)["data"]["seq"] for h in receiver.on("/hook")] == [1, 1]
    rows = await deliveries(engine)
    assert [(r.seq, r.attempts) for r in rows] == [(1, 2), (2, 0), (3, 0)]
    await make_due(engine)
    while await dispatcher.run_batch():
        pass
    assert [json.loads(h.body)["data"]["seq"] for h in receiver.on("/hook")] == [1, 1, 1, 2, 3]


async def test_exhausted_delivery_is_dead_lettered_and_retried_through_the_api(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(500))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    async with engine.begin() as conn:  # nine attempts already spent (the engine row counts)
        await conn.execute(text("UPDATE webhook_deliveries SET attempts = 9"))
        await conn.execute(text("UPDATE outbox_messages SET attempts = 9 WHERE topic = 'webhook'"))
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert (d.status, d.attempts) == ("dead", 10)
    url = f"/v1/webhook-endpoints/{ep['id']}/deliveries"
    dead = await hclient.get(url, params={"status": "dead"}, headers=world.h("admin"))
    assert [i["id"] for i in dead.json()["items"]] == [str(d.id)]
    retried = await hclient.post(f"{url}/{d.id}/retry", headers=world.h("admin"))
    assert retried.status_code == 202, retried.text
    again = await hclient.post(f"{url}/{d.id}/retry", headers=world.h("admin"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "delivery_is_pending"
    await dispatcher.run_batch()
    [d] = await deliveries(engine)
    assert d.status == "done"


async def test_endpoint_without_success_for_days_is_disabled(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    receiver.plan("/hook", Answer(500))
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days'")
        )
    await dispatcher.run_batch()
    got = await hclient.get(f"/v1/webhook-endpoints/{ep['id']}", headers=world.h("admin"))
    assert got.json()["active"] is False
    assert "no successful delivery for 5 days" in got.json()["disabled_reason"]
    listed = await hclient.get(
        "/v1/webhook-endpoints", params={"active": "false"}, headers=world.h("admin")
    )
    assert [e["id"] for e in listed.json()["items"]] == [ep["id"]]


async def test_anonymous_reporter_never_appears_in_any_body(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
) -> None:
    await register(hclient, world, receiver.url())
    c = await new_complaint(hclient, world, anonymous=True, callback_url=receiver.url("/citizen"))
    await _verify_and_dispatch(hclient, world, c["id"])
    await fan_out()
    while await dispatcher.run_batch():
        pass
    assert len(receiver.hits) == 6  # three events, to the endpoint and to the callback_url
    for hit in receiver.hits:
        raw = hit.body.decode()
        for secret in ("Siti", "Rahayu", "081234567890", "3521011234560001", "reporter"):
            assert secret not in raw


async def test_callback_url_is_signed_with_the_submitting_clients_secret(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
) -> None:
    c = await new_complaint(hclient, world, callback_url=receiver.url("/citizen"))
    await fan_out()
    await dispatcher.run_batch()
    mine = await hclient.get(
        "/v1/webhook-endpoints/callback-secret", headers=world.h("citizen_app")
    )
    other = await hclient.get(
        "/v1/webhook-endpoints/callback-secret", headers=world.h("citizen_app_other")
    )
    [hit] = receiver.on("/citizen")
    body = Webhook(mine.json()["secrets"][0]).verify(hit.body, hit.headers)
    assert body["data"]["tracking_id"] == c["tracking_id"]
    assert mine.json() != other.json()


async def test_connect_time_check_blocks_an_address_allowed_at_registration(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    hook_settings,
    engine: AsyncEngine,
) -> None:
    # Registered while loopback was allowed; the sender no longer allows it (as after a DNS
    # rebinding to 127.0.0.1): the connect-time check refuses, nothing reaches the receiver.
    from tests.engines import worker

    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    strict = hook_settings.model_copy(update={"webhook_allow_loopback": False})
    async with worker(strict, engine, topics={"webhook"}) as strict_sender:
        await strict_sender.run_batch()
    [d] = await deliveries(engine)
    assert d.status == "pending"
    assert "loopback" in d.last_error
    assert receiver.hits == []
    await asyncio.sleep(0)


async def test_a_later_event_waits_for_an_earlier_one_not_yet_fanned_out(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    # Two workers may race for seq 1 and seq 2; until seq 1's fan-out has run, nothing later of
    # that complaint may go out (the fan-out rows share the complaint's ordering key).
    await register(hclient, world, receiver.url())
    c = await new_complaint(hclient, world)
    await _verify_and_dispatch(hclient, world, c["id"])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE outbox_messages SET available_at = now() + interval '1 hour'"
                " WHERE topic = 'complaint_event' AND seq = 1"
            )
        )
    await fan_out()
    assert await dispatcher.run_batch() == 0
    assert await deliveries(engine) == []
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE outbox_messages SET available_at = now() WHERE seq = 1"))
    await fan_out()
    while await dispatcher.run_batch():
        pass
    assert [json.loads(h.body)["data"]["seq"] for h in receiver.on("/hook")] == [1, 2, 3]


async def test_an_endpoint_whose_secret_cannot_be_unsealed_fails_its_attempt(
    hclient: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    fan_out,
    dispatcher: Engine,
    engine: AsyncEngine,
) -> None:
    # Unsigned is never an option: with its encryption key retired, the attempt fails and is
    # logged and rescheduled like any other failure, instead of sitting leased for ever.
    await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    await new_complaint(hclient, world)
    await fan_out()
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE webhook_endpoints SET secrets_key_id = 'retired'"))
    assert await dispatcher.run_batch() == 1
    [d] = await deliveries(engine)
    assert d.status == "pending"
    assert "no signing secret" in d.last_error
    assert receiver.hits == []


async def test_internal_steps_reach_no_receiver_not_even_the_callback_url(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    c = await new_complaint(hclient, world, callback_url=receiver.url("/citizen"))
    await _verify_and_dispatch(hclient, world, c["id"])
    ask = await hclient.post(
        f"/v1/complaints/{c['id']}/transfer",
        json={"agency_id": str(world.agencies["DLH"]), "reason": "bukan wewenang kami"},
        headers=world.h("liaison"),
    )
    assert ask.status_code == 200, ask.text
    await fan_out()
    while await dispatcher.run_batch():
        pass
    types = [json.loads(hit.body)["type"] for hit in receiver.on("/citizen")]
    # received, verified, dispatched: the liaison's request (transfer_requested) is internal.
    assert types == ["complaint.received", "complaint.verified", "complaint.dispatched"]
