"""Submitting a complaint through an API door: the one path `POST /v1/complaints` and Open311's
`POST requests` share, so idempotency, duplicates, limits and identity sealing are one code."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints import intake
from app.complaints.duplicates import DuplicateRule
from app.complaints.schemas import ComplaintCreate
from app.jurisdictions.service import load_context
from app.kernel.config import Settings
from app.kernel.idempotency import run_once
from app.kernel.security import Principal
from app.privacy.crypto import Sealer
from app.webhooks.service import check_callback_url


def one_statement(body: ComplaintCreate, idempotency_key: str | None) -> bool:
    """Whether this submission writes in one statement (app/complaints/intake.py), atomic on
    its own and so in no transaction of its own: no retry key to record with it, no uploads
    to claim with it (a refused claim must undo the complaint). A possible duplicate's link
    is a second statement that stands alone: the complaint is whole without it."""
    return idempotency_key is None and not body.attachments


async def submit(
    db: AsyncSession,
    settings: Settings,
    cipher: Sealer,
    principal: Principal,
    body: ComplaintCreate,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    """201 and the new complaint, or 200 and the first one this sender's channel_ref made."""
    duplicates = DuplicateRule.from_settings(settings)
    if body.callback_url is not None:
        check_callback_url(settings, str(body.callback_url))

    async def handler() -> tuple[int, dict[str, Any]]:
        ctx = await load_context(db, principal.jurisdiction_id)
        result = await intake.take_in(
            db, ctx, cipher, principal, body, duplicates=duplicates, now=now
        )
        return (201 if result.created else 200), result.body.model_dump(mode="json")

    # Only a keyed request is compared with its retries; the rest need no fingerprint.
    fingerprint = body.model_dump_json() if idempotency_key is not None else ""
    return await run_once(db, principal.id, idempotency_key, fingerprint, handler)
