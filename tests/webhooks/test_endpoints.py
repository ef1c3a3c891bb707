"""/v1/webhook-endpoints: who may register what, URL checks, the secret shown once, rotation."""

from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from app.outbox.engine import Engine
from tests.factories import World
from tests.webhooks.conftest import new_complaint, register
from tests.webhooks.receiver import Receiver


async def test_secret_is_shown_once_and_never_again(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver
) -> None:
    ep = await register(hclient, world, receiver.url(), description="dashboard")
    assert ep["secret"].startswith("whsec_")
    got = await hclient.get(f"/v1/webhook-endpoints/{ep['id']}", headers=world.h("admin"))
    assert got.status_code == 200
    assert "secret" not in got.json()
    assert ep["secret"] not in got.text
    listed = await hclient.get("/v1/webhook-endpoints", headers=world.h("admin"))
    assert ep["secret"] not in listed.text
    assert [e["id"] for e in listed.json()["items"]] == [ep["id"]]


async def test_loopback_is_refused_unless_the_setting_allows_it(
    client: httpx.AsyncClient, world: World
) -> None:
    resp = await client.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/hook"},
        headers=world.h("admin"),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "forbidden_address"
    assert resp.json()["error"]["details"][0]["field"] == "url"


async def test_private_link_local_and_named_hosts_resolving_inward_are_refused(
    hclient: httpx.AsyncClient, world: World
) -> None:
    for url in (
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://192.168.0.10:8080/hook",
    ):
        resp = await hclient.post(
            "/v1/webhook-endpoints", json={"url": url}, headers=world.h("admin")
        )
        assert resp.status_code == 422, url
        assert resp.json()["error"]["code"] == "forbidden_address"
    bad = await hclient.post(
        "/v1/webhook-endpoints", json={"url": "ftp://example.org/x"}, headers=world.h("admin")
    )
    assert bad.json()["error"]["code"] == "invalid_url"


async def test_unknown_event_type_and_extra_fields_are_422(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver
) -> None:
    resp = await hclient.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url(), "event_types": ["complaint.exploded"]},
        headers=world.h("admin"),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["details"][0]["field"].startswith("event_types")
    extra = await hclient.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url(), "secret": "whsec_mine"},
        headers=world.h("admin"),
    )
    assert extra.status_code == 422


async def test_roles_and_ownership(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver
) -> None:
    liaison = await hclient.post(
        "/v1/webhook-endpoints", json={"url": receiver.url()}, headers=world.h("liaison")
    )
    assert liaison.status_code == 403
    app_ep = await register(hclient, world, receiver.url("/app"), who="citizen_app")
    assert app_ep["owner_client_id"] == str(world.ids["citizen_app"])
    other = await hclient.get(
        f"/v1/webhook-endpoints/{app_ep['id']}", headers=world.h("citizen_app_other")
    )
    assert other.status_code == 404
    admin_sees = await hclient.get(
        f"/v1/webhook-endpoints/{app_ep['id']}", headers=world.h("admin")
    )
    assert admin_sees.status_code == 200
    kupang = await hclient.get(
        f"/v1/webhook-endpoints/{app_ep['id']}", headers=world.h("admin_kupang")
    )
    assert kupang.status_code == 404
    agency_ep = await register(hclient, world, receiver.url("/agency"), who="agency_system")
    assert agency_ep["agency_id"] == str(world.agencies["DPUPR"])
    chooses = await hclient.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url(), "agency_id": str(world.agencies["DLH"])},
        headers=world.h("agency_system"),
    )
    assert chooses.status_code == 403


async def test_agency_and_app_endpoints_hear_only_their_complaints(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    await register(hclient, world, receiver.url("/agency"), who="agency_system")
    await register(hclient, world, receiver.url("/other-app"), who="citizen_app_other")
    await register(hclient, world, receiver.url("/dlh"), agency_id=str(world.agencies["DLH"]))
    c = await new_complaint(hclient, world)
    await hclient.post(
        f"/v1/complaints/{c['id']}/verify",
        json={"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    await fan_out()
    while await dispatcher.run_batch():
        pass
    assert receiver.on("/other-app") == []
    assert receiver.on("/dlh") == []
    # The agency hears of the complaint from the moment it is its own.
    assert len(receiver.on("/agency")) >= 1


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    rotated = await hclient.post(
        f"/v1/webhook-endpoints/{ep['id']}/rotate-secret",
        json={"overlap_hours": 2},
        headers=world.h("admin"),
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != ep["secret"]
    expires = datetime.fromisoformat(rotated.json()["previous_secret_expires_at"])
    assert expires > datetime.now(UTC)
    await new_complaint(hclient, world)
    await fan_out()
    await dispatcher.run_batch()
    [hit] = receiver.on("/hook")
    assert len(hit.headers["webhook-signature"].split(" ")) == 2
    for secret in (ep["secret"], new):
        assert Webhook(secret).verify(hit.body, hit.headers)["type"] == "complaint.received"


async def test_rotation_without_overlap_drops_the_old_secret(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    ep = await register(hclient, world, receiver.url(), event_types=["complaint.received"])
    rotated = await hclient.post(
        f"/v1/webhook-endpoints/{ep['id']}/rotate-secret",
        json={"overlap_hours": 0},
        headers=world.h("admin"),
    )
    await new_complaint(hclient, world)
    await fan_out()
    await dispatcher.run_batch()
    [hit] = receiver.on("/hook")
    assert len(hit.headers["webhook-signature"].split(" ")) == 1
    assert Webhook(rotated.json()["secret"]).verify(hit.body, hit.headers)


async def test_delete_removes_the_endpoint_and_what_it_was_owed(
    hclient: httpx.AsyncClient, world: World, receiver: Receiver, fan_out, dispatcher: Engine
) -> None:
    ep = await register(hclient, world, receiver.url())
    await new_complaint(hclient, world)
    await fan_out()
    gone = await hclient.delete(f"/v1/webhook-endpoints/{ep['id']}", headers=world.h("admin"))
    assert gone.status_code == 204
    assert await dispatcher.run_batch() == 0
    again = await hclient.get(f"/v1/webhook-endpoints/{ep['id']}", headers=world.h("admin"))
    assert again.status_code == 404
