"""A stand-in for the national SP4N-LAPOR! hub: the contract our client expects, in memory.

Run it alone with `python -m app hub-simulator --port 8100`; the tests start it on 127.0.0.1.
`/_sim/...` routes let a test or a demo play the hub's side: disposition a complaint to a
jurisdiction, look at what the hub received, or make the hub drift.
"""

import itertools
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.hub.mapping import HUB_STATUSES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reporter(Strict):
    nama: str | None = None
    nik: str | None = None
    telepon: str | None = None
    email: str | None = None
    alamat: str | None = None


class Forwarded(Strict):
    external_ref: Annotated[str, Field(min_length=1, max_length=100)]
    judul: str | None = None
    isi: Annotated[str, Field(min_length=1, max_length=10_000)]
    kode_wilayah: str | None = None
    diterima_pada: datetime
    kanal: str
    anonim: bool
    rahasia: bool
    pelapor: Reporter | None = None


class Disposed(Strict):
    instansi: str
    judul: str | None = None
    isi: Annotated[str, Field(min_length=1, max_length=10_000)]
    kode_wilayah: str | None = None
    diterima_pada: datetime
    anonim: bool = False
    rahasia: bool = False
    pelapor: Reporter | None = None


class Update(Strict):
    seq: Annotated[int, Field(ge=1)]
    jenis: str
    status: str
    pesan: str | None = None
    terjadi_pada: datetime


class Drift(Strict):
    status: str


class HubState:
    def __init__(self) -> None:
        self.laporan: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[int, dict[str, Any]]] = {}
        self.counter = itertools.count(1)

    def new_id(self) -> str:
        return f"LAPOR-{datetime.now(UTC).year}-{next(self.counter):07d}"


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def _page(items: list[dict[str, Any]], after: str | None, limit: int) -> dict[str, Any]:
    ids = [r.get("id") for r in items]  # a broken record (`/_sim/disposisi-rusak`) may have none
    start = ids.index(after) + 1 if after is not None and after in ids else 0
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    return {"items": [_public(r) for r in chunk], "next": chunk[-1].get("id") if more else None}


def create_simulator(token: str = "sim-token") -> FastAPI:  # noqa: S107 - a local stand-in
    """The simulator app; every /api route wants `Authorization: Bearer <token>`."""
    app = FastAPI(title="SP4N-LAPOR! hub simulator")
    state = HubState()
    app.state.hub = state

    def auth(request: Request) -> None:
        if request.headers.get("authorization") != f"Bearer {token}":
            raise HTTPException(401, "bad token")

    Auth = Depends(auth)

    def apply(hub_id: str, u: Update) -> None:
        if u.status not in HUB_STATUSES:
            raise HTTPException(422, f"unknown status {u.status}")
        updates = state.updates.setdefault(hub_id, {})
        updates.setdefault(u.seq, u.model_dump(mode="json"))  # the same seq twice is one update
        rec = state.laporan[hub_id]
        last = max(updates)
        rec["seq_terakhir"], rec["status"] = last, updates[last]["status"]

    @app.get("/api/v1/instansi/{code}/disposisi", dependencies=[Auth])
    def disposisi(code: str, after: str | None = None, limit: int = Query(100, le=500)) -> Any:
        items = [
            r for r in state.laporan.values() if r["_instansi"] == code and r["_origin"] == "hub"
        ]
        return _page(items, after, limit)

    @app.get("/api/v1/instansi/{code}/laporan", dependencies=[Auth])
    def laporan(code: str, after: str | None = None, limit: int = Query(100, le=500)) -> Any:
        items = [r for r in state.laporan.values() if r["_instansi"] == code]
        return _page(items, after, limit)

    @app.post("/api/v1/instansi/{code}/laporan", dependencies=[Auth], status_code=201)
    def forward(code: str, body: Forwarded) -> Any:
        for rec in state.laporan.values():
            if rec["_instansi"] == code and rec["external_ref"] == body.external_ref:
                return {"id": rec["id"], "existing": True}
        hub_id = state.new_id()
        state.laporan[hub_id] = {
            "id": hub_id,
            **body.model_dump(mode="json"),
            "status": "belum_terverifikasi",
            "seq_terakhir": 0,
            "_instansi": code,
            "_origin": "local",
        }
        return {"id": hub_id}

    @app.post("/api/v1/laporan/{hub_id}/tindak-lanjut", dependencies=[Auth])
    def update(hub_id: str, body: Update) -> Any:
        if hub_id not in state.laporan:
            raise HTTPException(404, "no such laporan")
        apply(hub_id, body)
        return {"ok": True}

    @app.post("/api/v1/instansi/{code}/laporan/ref/{ref}/tindak-lanjut", dependencies=[Auth])
    def update_by_ref(code: str, ref: str, body: Update) -> Any:
        for rec in state.laporan.values():
            if rec["_instansi"] == code and rec["external_ref"] == ref:
                apply(rec["id"], body)
                return {"ok": True}
        raise HTTPException(404, "no such laporan")

    @app.post("/_sim/disposisi", status_code=201)
    def dispose(body: Disposed) -> Any:
        hub_id = state.new_id()
        data = body.model_dump(mode="json", exclude={"instansi"})
        state.laporan[hub_id] = {
            "id": hub_id,
            "external_ref": None,
            **data,
            "status": "didisposisikan",
            "seq_terakhir": 0,
            "_instansi": body.instansi,
            "_origin": "hub",
        }
        return {"id": hub_id}

    @app.post("/_sim/disposisi-rusak", status_code=201)
    def dispose_broken(instansi: str, body: dict[str, Any]) -> Any:
        """A disposition as a faulty hub sends it: whatever fields, unchecked (for tests)."""
        key = f"_rusak-{next(state.counter)}"
        state.laporan[key] = {**body, "_instansi": instansi, "_origin": "hub"}
        return {"key": key}

    @app.get("/_sim/laporan/{hub_id}")
    def inspect(hub_id: str) -> Any:
        if hub_id not in state.laporan:
            raise HTTPException(404, "no such laporan")
        updates = [state.updates.get(hub_id, {})[s] for s in sorted(state.updates.get(hub_id, {}))]
        return {**_public(state.laporan[hub_id]), "updates": updates}

    @app.get("/_sim/laporan")
    def everything() -> Any:
        return [_public(r) for r in state.laporan.values()]

    @app.post("/_sim/laporan/{hub_id}/drift")
    def drift(hub_id: str, body: Drift) -> Any:
        # The hub lost track: it forgets what we told it and shows another status.
        if hub_id not in state.laporan:
            raise HTTPException(404, "no such laporan")
        state.updates.pop(hub_id, None)
        state.laporan[hub_id].update(status=body.status, seq_terakhir=0)
        return {"ok": True}

    return app
