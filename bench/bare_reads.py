"""The ceiling for reads: a bare Starlette app on asyncpg answering the service's two reads.

`GET /v1/complaints/{id}` and `GET /v1/complaints` (newest first, keyset cursor, the `status`
filter) for one agency system's key, with the same access rule in SQL (the jurisdiction and the
key's agency), the same page size and cursor, and the same fields. What it leaves out is the
point of the comparison: no ORM, no dependency injection, no pydantic, no middleware, no
transaction, the key compared in memory (the service caches its key lookups too), the policy and
agency joined in the one statement, no allowed actions.
It runs under the same uvicorn, event loop and garbage-collector settings as the service (app/cli.py
tune_gc), so the two differ only in the request path.

Run by bench/reads.py: `python bench/bare_reads.py <port>`, configured by BENCH_* variables.
"""

import base64
import hmac
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from bare_serve import serve  # run as a script, so bench/ is on sys.path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DSN = os.environ["BENCH_DSN"]
TOKEN = os.environ["BENCH_TOKEN"].encode()
JURISDICTION = uuid.UUID(os.environ["BENCH_JURISDICTION"])
AGENCY = uuid.UUID(os.environ["BENCH_AGENCY"])
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))
CLOCK_RUNNING = ("verified", "dispatched", "in_progress")  # app/complaints/lifecycle.py

DETAIL = """
SELECT c.*, a.code AS agency_code, a.name AS agency_name,
       p.version AS policy_version, p.unit AS policy_unit
FROM complaints c
LEFT JOIN agencies a ON a.id = c.agency_id
JOIN sla_policies p ON p.id = c.policy_id
WHERE c.id = $1 AND c.jurisdiction_id = $2 AND c.agency_id = $3
"""
PAGE = """
SELECT id, tracking_id, status, type, channel, title, agency_id, received_at,
       verification_due_at, due_at, paused_at, responded_at, resolution, closed_at, rating,
       satisfied
FROM complaints
WHERE jurisdiction_id = $1 AND agency_id = $2
  AND (cardinality($3::text[]) = 0 OR status = ANY($3))
  AND ($4::timestamptz IS NULL OR (received_at, id) < ($4, $5))
ORDER BY received_at DESC, id DESC
LIMIT $6
"""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": []}}, status)


def _authorized(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), TOKEN)


def _json(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _answer(payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, default=_json), media_type="application/json")


def _overdue(row: asyncpg.Record, now: datetime) -> bool:
    due = row["due_at"]
    return (
        row["status"] in CLOCK_RUNNING
        and row["paused_at"] is None
        and due is not None
        and (due < now)
    )


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def detail(request: Request) -> Response:
    if not _authorized(request):
        return _error(401, "invalid_api_key", "The API key is invalid.")
    try:
        complaint_id = uuid.UUID(request.path_params["complaint_id"])
    except ValueError:
        return _error(422, "validation_error", "Bad id.")
    row = await request.app.state.pool.fetchrow(DETAIL, complaint_id, JURISDICTION, AGENCY)
    if row is None:
        return _error(404, "not_found", "No such complaint.")
    out = dict(row)
    out["overdue"] = _overdue(row, datetime.now(UTC))
    return _answer(out)


async def page(request: Request) -> Response:
    if not _authorized(request):
        return _error(401, "invalid_api_key", "The API key is invalid.")
    limit = int(request.query_params.get("limit", "50"))
    status = [s for s in request.query_params.get("status", "").split(",") if s]
    after_at, after_id = None, None
    if cursor := request.query_params.get("cursor"):
        at, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after_at, after_id = datetime.fromisoformat(at), uuid.UUID(row_id)
    pool: asyncpg.Pool = request.app.state.pool
    rows = await pool.fetch(PAGE, JURISDICTION, AGENCY, status, after_at, after_id, limit + 1)
    now = datetime.now(UTC)
    items = [{**dict(r), "overdue": _overdue(r, now)} for r in rows[:limit]]
    for item in items:
        del item["paused_at"]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        raw = json.dumps([last["received_at"].isoformat(), str(last["id"])]).encode()
        next_cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return _answer({"items": items, "next_cursor": next_cursor})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE)
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/v1/complaints", page),
        Route("/v1/complaints/{complaint_id}", detail),
    ],
    lifespan=lifespan,
)

if __name__ == "__main__":
    serve(app, int(sys.argv[1]))
