"""Use cases of callback endpoints: register, change, rotate, read the log, retry a dead one."""

import contextlib
import ipaddress
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.config import Settings
from app.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from app.kernel.pagination import newest_first
from app.kernel.security import ADMIN, AGENCY_SYSTEM, Principal
from app.outbox import service as outbox
from app.outbox.service import enqueue_many
from app.privacy.crypto import Sealed, Sealer
from app.routing.service import active_agency
from app.webhooks import schemas
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import callback_secret, new_secret
from app.webhooks.subscriber import delivery_message, receiver_key
from app.webhooks.url_guard import BlockedAddress, address_problem, checked_address, url_problem

ATTEMPTS_SHOWN = 20


class EndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"


async def check_url(settings: Settings, url: str) -> str:
    """Refuse a URL we must not call: wrong scheme, or a host that resolves inward."""
    problem = url_problem(url, require_https=settings.is_production)
    if problem:
        raise Invalid.field("url", problem, code="invalid_url")
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await checked_address(parts.hostname or "", port, loopback_allowed(settings))
    except BlockedAddress as exc:
        raise Invalid.field("url", str(exc), code="forbidden_address") from exc
    return url


def check_callback_url(settings: Settings, url: str) -> None:
    """A complaint's `callback_url`, at intake: what `check_url` asks of an endpoint's URL,
    except the DNS lookup (one per intake), which the transport makes at every connection
    anyway; an address written as an IP literal is checked here as registration checks one,
    so a client learns at once that it will never be called, instead of from failed deliveries."""
    problem = url_problem(url, require_https=settings.is_production)
    host = urlsplit(url).hostname or ""
    with contextlib.suppress(ValueError):  # a host name: checked when connecting
        blocked = address_problem(ipaddress.ip_address(host), loopback_allowed(settings))
        problem = problem or (blocked and f"{host} is a {blocked}")
    if problem:
        raise Invalid.field("callback_url", problem, code="invalid_url")


def loopback_allowed(settings: Settings) -> bool:
    """Loopback receivers are for development and tests; production never calls itself."""
    return settings.webhook_allow_loopback and not settings.is_production


def seal_secrets(
    cipher: Sealer, endpoint_id: uuid.UUID, current: str, previous: str | None
) -> tuple[str, bytes]:
    """Encrypt the signing secrets, bound to this endpoint."""
    return cipher.seal(
        Sealed.WEBHOOK_SECRETS, {"current": current, "previous": previous}, endpoint_id
    )


def open_secrets(cipher: Sealer, e: WebhookEndpoint) -> dict[str, Any]:
    """The endpoint's current and previous signing secrets."""
    return cipher.open(Sealed.WEBHOOK_SECRETS, e.secrets_key_id, e.secrets_ciphertext, e.id)


def signing_secrets(cipher: Sealer, e: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its overlap."""
    sealed = open_secrets(cipher, e)
    out = [sealed["current"]]
    expires = e.previous_secret_expires_at
    if sealed.get("previous") and expires is not None and now < expires:
        out.append(sealed["previous"])
    return out


def _visible(principal: Principal) -> ColumnElement[bool]:
    # Admins manage every endpoint of their jurisdiction; a machine client only its own.
    same = WebhookEndpoint.jurisdiction_id == principal.jurisdiction_id
    if principal.role == ADMIN:
        return same
    return and_(same, WebhookEndpoint.owner_client_id == principal.id)


async def create_endpoint(
    session: AsyncSession,
    settings: Settings,
    cipher: Sealer,
    principal: Principal,
    body: schemas.EndpointCreate,
    now: datetime,
) -> schemas.EndpointWithSecret:
    """Register a receiver; the answer holds its secret, which is never shown again."""
    url = await check_url(settings, body.url)
    agency_id = body.agency_id
    owner = None if principal.role == ADMIN else principal.id
    submitted_by = None
    if principal.role != ADMIN:
        if agency_id is not None:
            raise Forbidden("Only admins choose an agency.", code="agency_not_allowed")
        if principal.role == AGENCY_SYSTEM:
            agency_id = principal.agency_id
            if agency_id is None:
                raise Forbidden("This client has no agency.", code="client_without_agency")
        else:
            submitted_by = principal.id  # a citizen app hears about what it took in
    if agency_id is not None:
        await active_agency(session, principal.jurisdiction_id, agency_id)
    secret = new_secret()
    endpoint_id = uuid.uuid4()
    key_id, sealed = seal_secrets(cipher, endpoint_id, secret, None)
    e = WebhookEndpoint(
        id=endpoint_id,
        jurisdiction_id=principal.jurisdiction_id,
        agency_id=agency_id,
        owner_client_id=owner,
        submitted_by=submitted_by,
        created_by=principal.id,
        url=url,
        event_types=list(body.event_types),
        description=body.description,
        active=body.active,
        secrets_key_id=key_id,
        secrets_ciphertext=sealed,
        created_at=now,
        updated_at=now,
    )
    session.add(e)
    await session.flush()
    return schemas.EndpointWithSecret(**_out(e).model_dump(), secret=secret)


def _out(e: WebhookEndpoint) -> schemas.EndpointOut:
    return schemas.EndpointOut(
        id=e.id,
        url=e.url,
        event_types=e.event_types,
        description=e.description,
        active=e.active,
        agency_id=e.agency_id,
        owner_client_id=e.owner_client_id,
        disabled_at=e.disabled_at,
        disabled_reason=e.disabled_reason,
        last_success_at=e.last_success_at,
        previous_secret_expires_at=e.previous_secret_expires_at,
        created_at=e.created_at,
    )


async def _load(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, lock: bool = False
) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, _visible(principal))
    e = await session.scalar(query.with_for_update() if lock else query)
    if e is None:
        raise EndpointNotFound("No such webhook endpoint.")
    return e


async def get_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> schemas.EndpointOut:
    """One endpoint this caller manages."""
    return _out(await _load(session, principal, endpoint_id))


async def list_endpoints(
    session: AsyncSession,
    principal: Principal,
    active: bool | None,
    limit: int,
    cursor: str | None,
) -> schemas.EndpointPage:
    """The endpoints this caller manages, newest first (`active=false` shows disabled ones)."""
    query = select(WebhookEndpoint).where(_visible(principal))
    if active is not None:
        query = query.where(WebhookEndpoint.active == active)
    rows, next_cursor = await newest_first(
        session, query, WebhookEndpoint.created_at, WebhookEndpoint.id, limit, cursor
    )
    return schemas.EndpointPage(items=[_out(e) for e in rows], next_cursor=next_cursor)


async def update_endpoint(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    endpoint_id: uuid.UUID,
    body: schemas.EndpointUpdate,
    now: datetime,
) -> schemas.EndpointOut:
    """Change URL, events, description or the active flag; re-enabling clears the reason."""
    e = await _load(session, principal, endpoint_id, lock=True)
    if body.url is not None:
        e.url = await check_url(settings, body.url)
    if body.event_types is not None:
        e.event_types = list(body.event_types)
    if body.description is not None:
        e.description = body.description
    if body.active is not None and body.active != e.active:
        e.active = body.active
        # A disabled receiver's deliveries wait, held, and flow again in order once enabled.
        if body.active:
            e.disabled_at = e.disabled_reason = e.failing_since = None
            await outbox.release(session, receiver_key(e.id), now)
        else:
            await outbox.hold(session, receiver_key(e.id))
    e.updated_at = now
    await session.flush()
    return _out(e)


async def delete_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> None:
    """Remove an endpoint; what was still owed to it goes with it."""
    e = await _load(session, principal, endpoint_id, lock=True)
    await outbox.cancel(session, receiver_key(e.id))
    await session.delete(e)
    await session.flush()


async def rotate_secret(
    session: AsyncSession,
    cipher: Sealer,
    principal: Principal,
    endpoint_id: uuid.UUID,
    overlap: timedelta,
    now: datetime,
) -> schemas.EndpointWithSecret:
    """A new secret, shown once; the old one keeps signing alongside it for `overlap`."""
    e = await _load(session, principal, endpoint_id, lock=True)
    current = open_secrets(cipher, e)["current"]
    secret = new_secret()
    e.secrets_key_id, e.secrets_ciphertext = seal_secrets(cipher, e.id, secret, current)
    e.previous_secret_expires_at = now + overlap
    e.updated_at = now
    await session.flush()
    return schemas.EndpointWithSecret(**_out(e).model_dump(), secret=secret)


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    status: Sequence[str] | None,
    limit: int,
    cursor: str | None,
) -> schemas.DeliveryPage:
    """The delivery log of one endpoint, newest first, each with its recent attempts."""
    await _load(session, principal, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status:
        query = query.where(WebhookDelivery.status.in_(status))
    rows, next_cursor = await newest_first(
        session, query, WebhookDelivery.created_at, WebhookDelivery.id, limit, cursor
    )
    attempts: dict[uuid.UUID, list[schemas.AttemptOut]] = {d.id: [] for d in rows}
    if rows:
        ranked = (
            select(
                WebhookAttempt,
            )
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempted_at.desc())
        )
        for a in (await session.scalars(ranked)).all():
            shown = attempts[a.delivery_id]
            if len(shown) < ATTEMPTS_SHOWN:
                shown.append(
                    schemas.AttemptOut(
                        attempted_at=a.attempted_at,
                        status_code=a.status_code,
                        duration_ms=a.duration_ms,
                        response_excerpt=a.response_excerpt,
                        error=a.error,
                    )
                )
    items = [
        schemas.DeliveryOut(
            id=d.id,
            message_id=d.message_id,
            event_type=d.event_type,
            complaint_id=d.complaint_id,
            ombudsman_case_id=d.ombudsman_case_id,
            seq=d.seq,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.available_at if d.status == "pending" else None,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            created_at=d.created_at,
            done_at=d.done_at,
            attempt_log=attempts[d.id],
        )
        for d in rows
    ]
    return schemas.DeliveryPage(items=items, next_cursor=next_cursor)


async def retry_delivery(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
) -> None:
    """Put a dead-lettered delivery back in line, with a fresh retry schedule."""
    await _load(session, principal, endpoint_id)
    d = await session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
        .with_for_update()
    )
    if d is None:
        raise DeliveryNotFound("No such delivery for this endpoint.")
    if d.status != "dead":
        raise Conflict(
            f"Only a dead-lettered delivery can be retried; this one is {d.status}.",
            code=f"delivery_is_{d.status}",
        )
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == d.id)
        .values(status="pending", attempts=0, available_at=now)
    )
    # A new engine row: the dead one keeps its history, this one a fresh schedule.
    await enqueue_many(
        session,
        [
            delivery_message(
                d.id,
                d.jurisdiction_id,
                d.complaint_id,
                d.seq,
                d.endpoint_id,
                f"webhook:retry:{d.id}:{now.isoformat()}",
                case_id=d.ombudsman_case_id,
            )
        ],
    )


def client_callback_secrets(settings: Settings, principal: Principal) -> list[str]:
    """The secrets signing this client's complaint callbacks (callback_url)."""
    return callback_secret(settings.webhook_callback_keys.get_secret_value(), principal.id)


async def delivery_counts(session: AsyncSession) -> dict[str, int]:
    """Deliveries by status (pending, done, dead, cancelled), every jurisdiction together."""
    rows = await session.execute(
        select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    )
    return dict(rows.all())
