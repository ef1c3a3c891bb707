"""Learned routing through the API: one decision path, abstention to triage, explanations."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.classification import history
from tests.factories import World
from tests.routing.support import COMPARED, routing_of_event, take_in, verify


@pytest.fixture
async def trained(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, str]:
    """The corpus's older four fifths as history, and a model trained on it by the API."""
    older, _ = history.corpus()
    agencies = await history.load(sessions, world, older)
    r = await client.post("/v1/routing-models", headers=world.h("admin"))
    assert r.status_code == 201, r.text
    assert r.json()["kept"] is True
    return agencies


LIGHTS_OUT = "pju di jln raya paron mati sdh seminggu"


async def test_intake_rule_test_and_verify_make_the_same_decision(
    client: httpx.AsyncClient, world: World, trained: dict[str, str]
) -> None:
    rule = await client.post(
        "/v1/routing-rules",
        json={
            "name": "Si-Jempol is Dinas Sosial's app",
            "position": 1,
            "agency_id": trained["DINSOS"],
            "keywords": ["sijempol"],
        },
        headers=world.h("admin"),
    )
    assert rule.status_code == 201, rule.text
    _, newest = history.corpus()
    cases = [(r.text, r.region_code) for r in newest[:25]]
    cases += [("aplikasi sijempol error terus", None), ("tolong", None)]
    outcomes = set()
    for text, region in cases:
        complaint = await take_in(client, world, text, region)
        at_intake = complaint["suggestion"]["routing"]
        body: dict[str, Any] = {"text": text, "channel": "sms_1708"}
        if region:
            body["region_code"] = region
        tested = await client.post("/v1/routing-rules/test", json=body, headers=world.h("admin"))
        assert tested.status_code == 200, tested.text
        _, events = await verify(client, world, complaint["id"])
        at_verify = routing_of_event(events[-1])
        for key in COMPARED:
            assert at_intake[key] == tested.json()[key] == at_verify[key], (key, text)
        read = await client.get(f"/v1/complaints/{complaint['id']}", headers=world.h("admin"))
        assert read.json()["routing"]["candidates"] == at_intake["candidates"]
        outcomes.add(at_intake["outcome"])
    # The set exercises the admins' rule, the model, and triage when the model is unsure.
    assert outcomes == {"rule", "model", "triage"}


async def test_automatic_dispatch_records_probability_cues_and_model_version(
    client: httpx.AsyncClient, world: World, trained: dict[str, str]
) -> None:
    complaint = await take_in(client, world, LIGHTS_OUT, None)
    status, events = await verify(client, world, complaint["id"])
    assert status == "dispatched"
    dispatched = events[-1]["data"]
    assert dispatched["routed_by"] == "model"
    assert dispatched["agency_id"] == trained["DISHUB"]
    assert dispatched["probability"] >= dispatched["threshold"]
    assert dispatched["model_version"] == 1
    assert any("lampu" in cue for cue in dispatched["cues"])
    assert dispatched["candidates"][0]["code"] == "DISHUB"


async def test_unsure_complaint_waits_in_triage_with_candidates_and_one_call_dispatches_it(
    client: httpx.AsyncClient, world: World, trained: dict[str, str]
) -> None:
    setting = await client.put(
        "/v1/routing-settings",
        json={"liaison_direct_transfer": False, "auto_dispatch_threshold": 0.99},
        headers=world.h("admin"),
    )
    assert setting.status_code == 200, setting.text
    assert setting.json()["effective_threshold"] == 0.99
    assert setting.json()["threshold_source"] == "setting"
    complaint = await take_in(client, world, LIGHTS_OUT, None)
    status, events = await verify(client, world, complaint["id"])
    assert status == "verified"
    read = (await client.get(f"/v1/complaints/{complaint['id']}", headers=world.h("admin"))).json()
    routing = read["routing"]
    assert routing["routed_by"] == "triage"
    assert len(routing["candidates"]) == 3
    probabilities = [c["probability"] for c in routing["candidates"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert events[-1]["type"] == "verified"
    assert events[-1]["data"]["routing"]["candidates"] == routing["candidates"]
    pick = routing["candidates"][0]["agency_id"]
    done = await client.post(
        f"/v1/complaints/{complaint['id']}/dispatch",
        json={"agency_id": pick},
        headers=world.h("admin"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "dispatched"
    assert done.json()["agency"]["id"] == pick
    back = await client.put(
        "/v1/routing-settings", json={"liaison_direct_transfer": False}, headers=world.h("admin")
    )
    assert back.json()["auto_dispatch_threshold"] is None
    assert back.json()["threshold_source"] in {"default", "model_evaluation"}


async def test_threshold_setting_is_checked(client: httpx.AsyncClient, world: World) -> None:
    r = await client.put(
        "/v1/routing-settings",
        json={"liaison_direct_transfer": False, "auto_dispatch_threshold": 1.5},
        headers=world.h("admin"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"].endswith("auto_dispatch_threshold")
    denied = await client.put(
        "/v1/routing-settings",
        json={"liaison_direct_transfer": False, "auto_dispatch_threshold": 0.7},
        headers=world.h("supervisor"),
    )
    assert denied.status_code == 403
