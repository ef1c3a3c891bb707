"""Training by API and by the worker; what counts as a label; the model loaded once."""

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.classification import retrain, store
from app.classification.evaluate_csv import Row
from app.kernel.config import Settings
from tests.classification import history
from tests.factories import World


async def test_training_needs_history_and_an_admin(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post("/v1/routing-models", headers=world.h("admin"))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_enough_history"
    assert (
        await client.post("/v1/routing-models", headers=world.h("supervisor"))
    ).status_code == 403
    listed = await client.get("/v1/routing-models", headers=world.h("supervisor"))
    assert listed.json() == {"items": [], "next_cursor": None}


async def test_a_version_is_kept_only_when_it_beats_the_one_in_use(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    older, _ = history.corpus()
    await history.load(sessions, world, older)
    first = await client.post("/v1/routing-models", headers=world.h("admin"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["version"] == 1
    assert body["kept"] is True
    assert body["samples"] == len(older)
    assert 0 < body["size_bytes"] < 2_000_000
    agency = body["evaluation"]["agency"]
    assert agency["model"]["top1"] > agency["baseline_top1"]
    assert {"per_label", "confused", "thresholds", "top3"} <= set(agency["model"])
    codes = body["evaluation"]["agency_codes"]
    assert {codes[p["label"]] for p in agency["model"]["per_label"]} == {r.agency for r in older}
    # The same history again: the model in use has seen the hold-out, so it is not beaten.
    second = (await client.post("/v1/routing-models", headers=world.h("admin"))).json()
    assert second["version"] == 2
    assert second["kept"] is False
    assert (
        second["evaluation"]["agency"]["current_top1"]
        >= second["evaluation"]["agency"]["model"]["top1"]
    )
    page = (await client.get("/v1/routing-models?limit=1", headers=world.h("admin"))).json()
    assert [i["version"] for i in page["items"]] == [2]
    rest = await client.get(
        f"/v1/routing-models?limit=1&cursor={page['next_cursor']}", headers=world.h("admin")
    )
    assert [i["version"] for i in rest.json()["items"]] == [1]
    assert rest.json()["next_cursor"] is None
    report = (await client.get("/v1/reports/classification", headers=world.h("supervisor"))).json()
    assert report["training"]["version"] == 2
    # Version 1 still serves.
    async with sessions() as session:
        loaded = await store.current(session, world.jurisdiction_id)
    assert loaded is not None
    assert loaded.version == 1


async def test_an_agency_with_too_little_history_does_not_stop_training(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # A real district has agencies with two complaints a year; the rest must still be learned.
    older, _ = history.corpus()
    rare = [
        Row("Kambing warga mati mendadak, mohon petugas kesehatan hewan datang", "DPKH", None,
            "field_inspection", older[0].day),
        Row("Vaksin PMK untuk sapi di desa kami belum ada, kapan jadwalnya", "DPKH", None,
            "information", older[1].day),
    ]  # fmt: skip
    await history.load(sessions, world, [*older, *rare])
    trained = await client.post("/v1/routing-models", headers=world.h("admin"))
    assert trained.status_code == 201, trained.text
    body = trained.json()
    codes = body["evaluation"]["agency_codes"]
    learned = {codes[p["label"]] for p in body["evaluation"]["agency"]["model"]["per_label"]}
    assert "DPKH" not in learned  # too few to learn: left to the rules and triage
    assert learned == {r.agency for r in older}


async def _verify(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> str:
    r = await client.post(
        "/v1/complaints", json={"channel": "web", "text": "jalan rusak"}, headers=world.h("gateway")
    )
    cid = str(r.json()["id"])
    v = await client.post(f"/v1/complaints/{cid}/verify", json=body, headers=world.h("admin"))
    assert v.status_code == 200, v.text
    return cid


async def test_labels_are_the_agency_that_finally_handled_it(
    client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dpupr, dlh = str(world.agencies["DPUPR"]), str(world.agencies["DLH"])
    chosen = await _verify(client, world, {"type": "field_inspection", "agency_id": dlh})
    # Routed by the category default, nobody confirmed it yet: not a label.
    unconfirmed = await _verify(
        client, world, {"type": "field_inspection", "category_id": str(world.categories["jalan"])}
    )
    # Routed automatically, then transferred by an admin and taken up there: the final agency.
    moved = await _verify(
        client, world, {"type": "field_inspection", "category_id": str(world.categories["jalan"])}
    )
    t = await client.post(
        f"/v1/complaints/{moved}/transfer",
        json={"agency_id": dlh, "reason": "bukan wewenang"},
        headers=world.h("admin"),
    )
    assert t.status_code == 200, t.text
    async with sessions() as session, session.begin():
        # DLH's liaison takes it up (acknowledge), as its own system would.
        await session.execute(
            text("UPDATE complaints SET status = 'in_progress' WHERE id = :id"), {"id": moved}
        )
    async with sessions() as session:
        examples, _ = await retrain.history(session, world.jurisdiction_id)
    assert [e.labels["agency"] for e in examples] == [dlh, None, dlh]
    assert examples[1].baseline["agency"] == dpupr  # the cold start: the category's default
    assert {chosen, unconfirmed, moved}


async def test_the_worker_retrains_a_jurisdiction_with_enough_new_history(
    world: World, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    assert await retrain.retrain_due(sessions, datetime.now(UTC)) == 0  # no history yet
    older, _ = history.corpus()
    await history.load(sessions, world, older)
    assert await retrain.retrain_due(sessions, datetime.now(UTC)) == 1
    assert await retrain.retrain_due(sessions, datetime.now(UTC)) == 0  # nothing new since
    async with sessions() as session:
        versions, _ = await retrain.versions(session, world.jurisdiction_id, 10, None)
    assert [v["version"] for v in versions] == [1]


async def test_a_model_is_read_again_only_when_a_newer_version_exists(
    client: httpx.AsyncClient,
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store.versions, "ttl", 0.0)
    older, _ = history.corpus()
    await history.load(sessions, world, older)
    assert (await client.post("/v1/routing-models", headers=world.h("admin"))).status_code == 201
    async with sessions() as session:
        first = await store.current(session, world.jurisdiction_id)
        again = await store.current(session, world.jurisdiction_id)
    assert first is not None
    assert again is first
    async with sessions() as session, session.begin():
        # Another process keeps a newer version (a copy of the arrays is enough here).
        await session.execute(
            text(
                """
                INSERT INTO routing_models (id, jurisdiction_id, version, trained_at, samples,
                    kept, evaluation, arrays, size_bytes)
                SELECT gen_random_uuid(), jurisdiction_id, 2, now(), samples, true, evaluation,
                       arrays, size_bytes
                FROM routing_models WHERE jurisdiction_id = :j AND version = 1
                """
            ),
            {"j": world.jurisdiction_id},
        )
    async with sessions() as session:
        newer = await store.current(session, world.jurisdiction_id)
    assert newer is not None
    assert newer.version == 2
    assert newer is not first


@pytest.mark.parametrize("command", ["train-routing", "train-classifier"])
async def test_the_training_command_and_its_first_name_train_on_the_history(
    world: World, sessions: async_sessionmaker[AsyncSession], database_url: str, command: str
) -> None:
    older, _ = history.corpus()
    await history.load(sessions, world, older)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app", command, "--jurisdiction", "35.21"],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"DATABASE_URL": database_url, "LAPOR_LOG_LEVEL": "WARNING"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("version 1: kept;")
    assert f"{len(older)} complaints" in done.stdout
