"""Hub sync against the simulator served by a real uvicorn on 127.0.0.1."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.hub import tasks as hub_tasks
from app.hub.client import HttpHub, hub_from_settings
from app.hub.models import HubReconciliation
from app.hub.simulator import create_simulator
from app.hub.sync import pull, reconcile
from app.kernel.clock import ManualClock, SystemClock
from app.kernel.config import Settings
from app.privacy.crypto import Sealer
from app.privacy.identity import HUB_SYNC
from tests.engines import worker as engine_of
from tests.factories import World
from tests.privacy.support import access_rows

TOKEN = "sim-test-token"


@pytest.fixture
async def hub_url() -> AsyncIterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(create_simulator(TOKEN), host="127.0.0.1", port=0, log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for this
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
def hub_settings(settings: Settings, hub_url: str) -> Settings:
    return settings.model_copy(
        update={
            "hub_base_url": hub_url,
            "hub_token": SecretStr(TOKEN),
            "hub_jurisdiction": "35.21",
        }
    )


@pytest.fixture
async def sim(hub_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=hub_url) as c:
        yield c


@pytest.fixture
async def hub(hub_settings: Settings) -> AsyncIterator[HttpHub]:
    async with httpx.AsyncClient() as http:
        h = hub_from_settings(hub_settings, http)
        assert h is not None
        yield h


@pytest.fixture
def cipher(settings: Settings) -> Sealer:
    return Sealer.from_settings(settings)


Reconcile = Callable[[], Awaitable[HubReconciliation | None]]


@pytest.fixture
def reconcile_now(
    sessions: async_sessionmaker[AsyncSession], hub_settings: Settings, cipher: Sealer, hub: HttpHub
) -> Reconcile:
    """One reconciliation with the simulator, now."""
    return lambda: reconcile(sessions, hub_settings, cipher, hub, SystemClock())


@pytest.fixture
async def run_worker(engine: AsyncEngine, hub_settings: Settings) -> AsyncIterator[Any]:
    """Fan-out and hub pushes, in-process, until nothing is due."""
    async with engine_of(hub_settings, engine) as worker:

        async def run() -> None:
            while await worker.run_batch():
                pass

        yield run


async def _dispose(sim: httpx.AsyncClient, **extra: Any) -> str:
    body = {
        "instansi": "35.21",
        "judul": "Jembatan rusak",
        "isi": "Jembatan di Desa Kedunggalar ambles, berbahaya bagi anak sekolah.",
        "kode_wilayah": "35.21.02",
        "diterima_pada": (datetime.now(UTC) - timedelta(days=3)).isoformat(),
        **extra,
    }
    resp = await sim.post("/_sim/disposisi", json=body)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def _one(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).one()


async def test_pull_takes_dispositions_in_once_keeping_received_time_and_anonymity(
    world: World,
    sim: httpx.AsyncClient,
    hub: HttpHub,
    sessions: async_sessionmaker[AsyncSession],
    hub_settings: Settings,
    cipher: Sealer,
    engine: AsyncEngine,
) -> None:
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    anon = await _dispose(
        sim,
        anonim=True,
        diterima_pada=received.isoformat(),
        pelapor={"nama": "Budi Santoso", "telepon": "081299988877"},
    )
    secret = await _dispose(sim, rahasia=True, pelapor={"nama": "Ani", "telepon": "081211122233"})
    pulled = await pull(sessions, hub_settings, cipher, hub, SystemClock())
    assert sorted(p["hub_id"] for p in pulled) == sorted([anon, secret])
    assert await pull(sessions, hub_settings, cipher, hub, SystemClock()) == []
    row = await _one(
        engine,
        "SELECT c.id, c.channel, c.received_at, c.anonymous, r.complaint_id AS reporter"
        " FROM complaints c LEFT JOIN reporters r ON r.complaint_id = c.id"
        " WHERE c.channel_ref = :ref",
        ref=anon,
    )
    assert row.channel == "lapor_hub"
    assert row.received_at == received
    assert row.anonymous is True
    assert row.reporter is None  # an anonymous reporter's identity is not even stored
    other = await _one(
        engine,
        "SELECT c.confidential, r.complaint_id AS reporter FROM complaints c"
        " LEFT JOIN reporters r ON r.complaint_id = c.id WHERE c.channel_ref = :ref",
        ref=secret,
    )
    assert other.confidential is True
    assert other.reporter is not None


async def test_status_changes_and_responses_reach_the_hub(
    client: httpx.AsyncClient,
    world: World,
    sim: httpx.AsyncClient,
    hub: HttpHub,
    sessions: async_sessionmaker[AsyncSession],
    hub_settings: Settings,
    cipher: Sealer,
    run_worker: Any,
    engine: AsyncEngine,
) -> None:
    hub_id = await _dispose(sim)
    await pull(sessions, hub_settings, cipher, hub, SystemClock())
    cid = (await _one(engine, "SELECT id FROM complaints WHERE channel_ref = :r", r=hub_id)).id
    verified = await client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "field_inspection", "agency_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    assert verified.status_code == 200, verified.text
    await run_worker()
    seen = (await sim.get(f"/_sim/laporan/{hub_id}")).json()
    assert seen["status"] == "didisposisikan"
    assert [u["seq"] for u in seen["updates"]] == [1, 2, 3]
    await client.post(f"/v1/complaints/{cid}/acknowledge", headers=world.h("liaison"))
    await client.post(
        f"/v1/complaints/{cid}/responses",
        json={"message": "Perbaikan jembatan dijadwalkan pekan depan."},
        headers=world.h("liaison"),
    )
    await run_worker()
    seen = (await sim.get(f"/_sim/laporan/{hub_id}")).json()
    assert seen["status"] == "ditanggapi"
    assert seen["updates"][-1]["pesan"] == "Perbaikan jembatan dijadwalkan pekan depan."
    assert seen["seq_terakhir"] == 5


async def test_local_complaints_are_forwarded_honouring_anonim_and_rahasia(
    client: httpx.AsyncClient,
    world: World,
    sim: httpx.AsyncClient,
    run_worker: Any,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    reporter = {"name": "Siti Rahayu", "phone": "081234567890", "nik": "3521011234560001"}
    anon = await client.post(
        "/v1/complaints",
        json={
            "channel": "web",
            "text": "Pungutan liar di loket KTP kecamatan.",
            "anonymous": True,
            "confidential": True,
            "reporter": reporter,
        },
        headers=world.h("citizen_app"),
    )
    named = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": "Sampah tidak diangkut.", "reporter": reporter},
        headers=world.h("citizen_app"),
    )
    await run_worker()
    everything = (await sim.get("/_sim/laporan")).json()
    by_ref = {r["external_ref"]: r for r in everything}
    hidden = by_ref[anon.json()["id"]]
    assert hidden["anonim"] is True
    assert hidden["rahasia"] is True
    assert hidden["pelapor"] is None
    assert "Siti" not in str(hidden)
    assert "081234567890" not in str(hidden)
    shown = by_ref[named.json()["id"]]
    assert shown["pelapor"]["nama"] == "Siti Rahayu"
    assert shown["rahasia"] is False
    assert shown["seq_terakhir"] == 1
    # The named identity was read once, by the hub sync, and logged; the anonymous one never.
    [read] = await access_rows(sessions, named.json()["id"])
    assert (read["actor_kind"], read["actor_name"], read["action"]) == (
        "system",
        "hub_sync",
        "forward",
    )
    assert read["purpose"] == HUB_SYNC.purpose
    assert read["actor_id"] == HUB_SYNC.id
    assert read["fields"] == ["name", "nik", "phone"]
    assert await access_rows(sessions, anon.json()["id"]) == []


async def test_reconcile_repairs_drift_both_ways_and_reports_it(
    client: httpx.AsyncClient,
    world: World,
    sim: httpx.AsyncClient,
    hub: HttpHub,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    hub_settings: Settings,
    cipher: Sealer,
    run_worker: Any,
    engine: AsyncEngine,
) -> None:
    drifted = await _dispose(sim)
    await pull(sessions, hub_settings, cipher, hub, SystemClock())
    await run_worker()
    # The hub loses track of one complaint, and gets a new disposition we have not pulled.
    await sim.post(f"/_sim/laporan/{drifted}/drift", json={"status": "selesai"})
    fresh = await _dispose(sim, judul="Lampu jalan mati")
    # A local complaint taken in while sync was off never reached the hub.
    local = await client.post(
        "/v1/complaints",
        json={"channel": "web", "text": "Air PDAM keruh sejak kemarin."},
        headers=world.h("citizen_app"),
    )
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM outbox_messages WHERE topic = 'hub_push'"))
    # The reconciliation runs an hour later, past the grace a fresh forward is given.
    an_hour_later = ManualClock(SystemClock().now() + timedelta(hours=1))
    report = await reconcile(sessions, hub_settings, cipher, hub, an_hour_later)
    assert report is not None
    actions = {(r["action"], r.get("hub_id")) for r in report.repaired}
    assert ("pulled", fresh) in actions
    assert ("pushed_status", drifted) in actions
    assert any(a == "created_on_hub" for a, _ in actions)
    assert report.problems == []
    assert (await sim.get(f"/_sim/laporan/{drifted}")).json()["status"] == "belum_terverifikasi"
    by_ref = {r["external_ref"]: r for r in (await sim.get("/_sim/laporan")).json()}
    assert local.json()["id"] in by_ref
    # A second run, a minute later, finds nothing left to repair.
    an_hour_later.advance(timedelta(minutes=1))
    again = await reconcile(sessions, hub_settings, cipher, hub, an_hour_later)
    assert again is not None
    assert again.repaired == []
    listed = await client.get("/v1/hub/reconciliations", headers=world.h("admin"))
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 2
    assert listed.json()["items"][1]["repaired"]  # newest first: the second run was clean
    page = await client.get(
        "/v1/hub/reconciliations", params={"limit": 1}, headers=world.h("admin")
    )
    assert page.json()["items"][0]["repaired"] == []
    rest = await client.get(
        "/v1/hub/reconciliations",
        params={"limit": 1, "cursor": page.json()["next_cursor"]},
        headers=world.h("supervisor"),
    )
    assert rest.json()["items"][0]["repaired"]
    assert rest.json()["next_cursor"] is None
    denied = await client.get("/v1/hub/reconciliations", headers=world.h("liaison"))
    assert denied.status_code == 403


async def test_hub_refuses_a_wrong_token(hub_url: str) -> None:
    async with httpx.AsyncClient() as http:
        wrong = HttpHub(http, hub_url, "not-the-token", "35.21")
        with pytest.raises(Exception, match="401"):
            [c async for c in wrong.dispositions()]


async def test_a_disposition_we_cannot_take_in_is_reported_not_fatal(
    world: World, sim: httpx.AsyncClient, reconcile_now: Reconcile
) -> None:
    future = await _dispose(sim, diterima_pada=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    fine = await _dispose(sim)
    report = await reconcile_now()
    assert report is not None
    assert [r["hub_id"] for r in report.repaired if r["action"] == "pulled"] == [fine]
    assert [(p["problem"], p["hub_id"]) for p in report.problems] == [
        ("disposition_refused", future)
    ]


async def test_a_record_the_hub_does_not_send_whole_is_reported_and_the_pull_goes_on(
    world: World, sim: httpx.AsyncClient, reconcile_now: Reconcile
) -> None:
    when = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for broken in [
        {"isi": "Laporan tanpa nomor", "diterima_pada": when},  # no id
        {"id": "LAPOR-RUSAK-1", "isi": "Jalan rusak", "diterima_pada": "kemarin"},
        {"id": "LAPOR-RUSAK-2", "isi": None, "diterima_pada": when},  # not the text "None"
        {"id": "LAPOR-RUSAK-3", "isi": "Jalan rusak"},  # no received time
    ]:
        resp = await sim.post("/_sim/disposisi-rusak", params={"instansi": "35.21"}, json=broken)
        assert resp.status_code == 201, resp.text
    fine = await _dispose(sim)
    report = await reconcile_now()
    assert report is not None
    assert [r["hub_id"] for r in report.repaired if r["action"] == "pulled"] == [fine]
    assert [(p["problem"], p["hub_id"]) for p in report.problems] == [
        ("disposition_unreadable", None),
        ("disposition_unreadable", "LAPOR-RUSAK-1"),
        ("disposition_unreadable", "LAPOR-RUSAK-2"),
        ("disposition_unreadable", "LAPOR-RUSAK-3"),
    ]  # each said once, though the walk over all the hub's records meets them again


async def test_the_worker_loop_reconciles_under_its_lock_and_stops(
    world: World,
    sim: httpx.AsyncClient,
    hub: HttpHub,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    hub_settings: Settings,
    cipher: Sealer,
) -> None:
    hub_id = await _dispose(sim)
    stop = asyncio.Event()
    periodic = {hub_tasks.PULL_TOPIC, hub_tasks.RECONCILE_TOPIC}
    async with engine_of(hub_settings, engine, topics=periodic) as worker:
        loop = asyncio.create_task(worker.run_forever(stop))
        for _ in range(300):  # bounded wait: the first round reconciles
            async with engine.connect() as conn:
                runs = await conn.scalar(text("SELECT count(*) FROM hub_reconciliations"))
            if runs:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(loop, 30)
    row = await _one(engine, "SELECT channel FROM complaints WHERE channel_ref = :r", r=hub_id)
    assert row.channel == "lapor_hub"


async def test_an_over_long_disposition_is_refused_whole_and_logged_without_its_text(
    world: World,
    sim: httpx.AsyncClient,
    reconcile_now: Reconcile,
    engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    marker = "rahasiawarga"
    too_long = await _dispose(sim, judul=f"{marker} " * 30)  # 390 characters; ours hold 200
    with caplog.at_level(logging.WARNING):
        report = await reconcile_now()
    assert report is not None
    [problem] = report.problems
    assert problem["problem"] == "disposition_refused"
    assert problem["hub_id"] == too_long
    assert problem["fields"] == ["title: string_too_long"]
    assert marker not in repr(report.problems)
    assert marker not in caplog.text
    stored = await _one(
        engine, "SELECT count(*) AS n FROM complaints WHERE channel_ref = :r", r=too_long
    )
    assert stored.n == 0  # not stored cut: the reconciliation report tells the admins
