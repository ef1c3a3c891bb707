"""The ceiling: a bare Starlette app on asyncpg doing the intake's writes, nothing else.

Same rows as app/complaints/intake.py (complaint, reporter, first event, the event's outbox row
and the verification timer) in one transaction, as four plain statements; same JSON answer.
What it leaves out is the point of the comparison: no ORM, no dependency injection, no pydantic,
no idempotency, no middleware, a token compared in memory, calendar days instead of working days.
It runs under the same uvicorn, event loop and garbage-collector settings as the service
(app/cli.py tune_gc), so the two differ only in the request path.

Run by bench/intake.py: `python bench/bare_app.py <port>`, configured by BENCH_* variables.
"""

import hashlib
import hmac
import json
import os
import secrets
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
from bare_serve import serve  # run as a script, so bench/ is on sys.path
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DSN = os.environ["BENCH_DSN"]
TOKEN = os.environ["BENCH_TOKEN"].encode()
JURISDICTION = uuid.UUID(os.environ["BENCH_JURISDICTION"])
CLIENT = uuid.UUID(os.environ["BENCH_CLIENT"])
POLICY = uuid.UUID(os.environ["BENCH_POLICY"])
VERIFICATION_DAYS = int(os.environ["BENCH_VERIFICATION_DAYS"])
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))
ACTOR = json.dumps({"kind": "client", "id": str(CLIENT), "role": "citizen_app", "name": "bench"})
KEY = AESGCM(bytes(32))
INDEX_KEY = b"dev-only-blind-index-key"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

INSERT_COMPLAINT = """
INSERT INTO complaints (
    id, jurisdiction_id, tracking_id, channel, channel_detail, title, text, region_code, address,
    lat, lon, anonymous, confidential, attachments, received_at, status, policy_id,
    verification_due_at, submitted_by, last_seq, created_at, updated_at)
VALUES ($1, $2, $3, $4, '{}'::jsonb, $5, $6, $11, $12, $13, $14, false, false, '[]'::jsonb, $7,
        'received', $8, $9, $10, 1, $7, $7)
"""
INSERT_REPORTER = """
INSERT INTO reporters (complaint_id, jurisdiction_id, key_id, ciphertext, phone_hash, created_at)
VALUES ($1, $5, 'k1', $2, $3, $4)
"""
INSERT_EVENT = """
INSERT INTO complaint_events (complaint_id, jurisdiction_id, seq, type, status, occurred_at,
                              actor, data)
VALUES ($1, $5, 1, 'received', 'received', $2, $3::jsonb, $4::jsonb)
"""
INSERT_OUTBOX = """
INSERT INTO outbox_messages (id, jurisdiction_id, topic, dedupe_key, complaint_id, seq, payload,
                             status, available_at, attempts, created_at)
VALUES ($1, $2, 'complaint_event', NULL, $3, 1, '{"type": "complaint.received"}'::jsonb,
        'pending', $4, 0, $4),
       ($5, $2, 'timer', $6, $3, NULL, $7::jsonb, 'pending', $8, 0, $4)
"""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": []}}, status)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def create(request: Request) -> JSONResponse:
    header = request.headers.get("authorization", "")
    if not hmac.compare_digest(header.removeprefix("Bearer ").encode(), TOKEN):
        return _error(401, "invalid_api_key", "The API key is invalid.")
    try:
        body = json.loads(await request.body())
        text, channel = body["text"], body["channel"]
        reporter = body.get("reporter") or {}
        location = body.get("location") or {}
    except (ValueError, KeyError, TypeError):
        return _error(422, "validation_error", "Bad body.")
    now = datetime.now(UTC)
    due = now + timedelta(days=VERIFICATION_DAYS)
    complaint_id = uuid.uuid4()
    chars = "".join(secrets.choice(ALPHABET) for _ in range(10))
    tracking_id = f"LPR-{chars[:5]}-{chars[5:]}"
    nonce = os.urandom(12)
    sealed = KEY.encrypt(nonce, json.dumps(reporter).encode(), complaint_id.bytes)
    phone = reporter.get("phone")
    phone_hash = (
        hmac.new(INDEX_KEY, f"phone:{phone}".encode(), hashlib.sha256).hexdigest()
        if phone
        else None
    )
    event_data = json.dumps({"channel": channel, "received_at": now.isoformat()})
    timer = json.dumps({"kind": "verification_overdue", "due": due.isoformat()})
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            INSERT_COMPLAINT,
            complaint_id,
            JURISDICTION,
            tracking_id,
            channel,
            body.get("title"),
            text,
            now,
            POLICY,
            due,
            CLIENT,
            location.get("region_code"),
            location.get("address"),
            location.get("lat"),
            location.get("lon"),
        )
        await conn.execute(
            INSERT_REPORTER, complaint_id, nonce + sealed, phone_hash, now, JURISDICTION
        )
        await conn.execute(INSERT_EVENT, complaint_id, now, ACTOR, event_data, JURISDICTION)
        await conn.execute(
            INSERT_OUTBOX,
            uuid.uuid4(),
            JURISDICTION,
            complaint_id,
            now,
            uuid.uuid4(),
            f"verification_overdue:{complaint_id}",
            timer,
            due,
        )
    return JSONResponse(
        {
            "id": str(complaint_id),
            "tracking_id": tracking_id,
            "status": "received",
            "suggested_type": None,
            "received_at": now.isoformat(),
            "verification_due_at": due.isoformat(),
            "existing": False,
        },
        201,
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_SIZE)
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[Route("/healthz", healthz), Route("/v1/complaints", create, methods=["POST"])],
    lifespan=lifespan,
)

if __name__ == "__main__":
    serve(app, int(sys.argv[1]))
