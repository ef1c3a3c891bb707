"""Taking a complaint in: the hot path, one statement for the complaint and what follows it.

A single CTE reads the reporter's recent complaints (the duplicate search) and inserts the
complaint, its tracking number, its reporter, its first event, the event's announcement and the
verification timer: one round trip instead of seven (see CONVENTIONS.md, "Speed"). Only when
the search finds a likely duplicate does a second statement, in the same transaction, link the
two.
`ON CONFLICT DO NOTHING` makes a redelivered `channel_ref` answer with the first complaint: the
same sender's (`submitted_by`: the API client, the user, or the provider's channel account) on
the same channel. Another sender's equal reference is another complaint.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic_core import to_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import service as attachments
from app.complaints.duplicates import EARLIER_CTES, DuplicateRule, best_match, search_params
from app.complaints.schemas import ComplaintCreate, ComplaintCreated
from app.complaints.tracking import new_tracking_id
from app.jurisdictions.service import JurisdictionContext
from app.kernel.db import DriverStatement
from app.kernel.errors import Invalid
from app.kernel.security import Principal
from app.outbox.service import EVENT_TOPIC, INSERT_HEAD, TIMER_TOPIC
from app.privacy.crypto import Sealed, Sealer
from app.routing.decide import Sample
from app.routing.decision import suggest_and_route
from app.routing.service import agency_id_by_code, check_category


def _json(value: object) -> str:
    """JSON for a jsonb parameter: pydantic's encoder, ~4x the standard library's here (the
    statement's six documents were ~8% of the intake's samples in py-spy)."""
    return to_json(value).decode()


# A clerk's clock may run a little ahead of ours; beyond this a "received" date is a typo.
CLOCK_SKEW = timedelta(minutes=5)

# Constant fragments joined, no input in them (hence the noqa).
_INSERT = DriverStatement(
    text(
        "WITH"  # noqa: S608 - constant fragments (EARLIER_CTES, INSERT_HEAD of app/outbox)
        + EARLIER_CTES
        + f""", c AS (
        INSERT INTO complaints (
            id, jurisdiction_id, tracking_id, channel, channel_detail, channel_ref, title, text,
            category_id, region_code, address, lat, lon, occurred_at, received_at, status,
            suggested_type, suggested_category_id, suggestion, anonymous, confidential,
            callback_url, attachments, policy_id, verification_due_at, submitted_by,
            possible_duplicate_of, last_seq, created_at, updated_at)
        SELECT
            CAST(:id AS uuid), CAST(:jurisdiction_id AS uuid), CAST(:tracking_id AS varchar),
            :channel, CAST(:channel_detail AS jsonb), :channel_ref, :title, :text,
            CAST(:category_id AS uuid), :region_code, :address, CAST(:lat AS float8),
            CAST(:lon AS float8), CAST(:occurred_at AS timestamptz),
            CAST(:received_at AS timestamptz), 'received', :suggested_type,
            -- the learned model names an id, the rules a code; either must still be active here
            (SELECT id FROM categories WHERE jurisdiction_id = :jurisdiction_id AND active
               AND CASE WHEN CAST(:suggested_category_id AS uuid) IS NULL
                        THEN code = :suggested_category_code
                        ELSE id = CAST(:suggested_category_id AS uuid) END),
            CAST(:suggestion AS jsonb), CAST(:anonymous AS boolean),
            CAST(:confidential AS boolean), :callback_url, CAST(:attachments AS jsonb),
            CAST(:policy_id AS uuid), CAST(:verification_due_at AS timestamptz),
            CAST(:submitted_by AS uuid), CAST(NULL AS uuid), 1, CAST(:now AS timestamptz),
            CAST(:now AS timestamptz)
        -- the number is unique nationwide (tracking_ids): a taken one inserts nothing
        WHERE NOT EXISTS (
            SELECT FROM tracking_ids WHERE tracking_id = CAST(:tracking_id AS varchar))
        ON CONFLICT DO NOTHING
        RETURNING id, tracking_id
    ), tracking AS (
        INSERT INTO tracking_ids (tracking_id, jurisdiction_id, complaint_id)
        SELECT tracking_id, CAST(:jurisdiction_id AS uuid), id FROM c
    ), reporter AS (
        INSERT INTO reporters (complaint_id, jurisdiction_id, key_id, ciphertext, nik_hash,
                               phone_hash, email_hash, social_hash, created_at)
        SELECT id, CAST(:jurisdiction_id AS uuid), CAST(:key_id AS varchar),
               CAST(:ciphertext AS bytea),
               CAST(:nik_hash AS varchar), CAST(:phone_hash AS varchar),
               CAST(:email_hash AS varchar), CAST(:social_hash AS varchar),
               CAST(:now AS timestamptz)
        FROM c WHERE CAST(:has_reporter AS boolean)
    ), event AS (
        INSERT INTO complaint_events (complaint_id, jurisdiction_id, seq, type, status,
                                      occurred_at, actor, data)
        SELECT id, CAST(:jurisdiction_id AS uuid), 1, 'received', 'received',
               CAST(:now AS timestamptz), CAST(:actor AS jsonb), CAST(:event_data AS jsonb)
        FROM c
    ), outbox AS (
        {INSERT_HEAD}
        SELECT CAST(:event_msg_id AS uuid), CAST(:jurisdiction_id AS uuid),
               CAST(:event_topic AS varchar), NULL, id, 1,
               CAST('{{"type": "complaint.received"}}' AS jsonb), 'pending',
               CAST(:now AS timestamptz), 0, CAST(:now AS timestamptz),
               CAST(:event_topic AS varchar) || ':' || id::text
        FROM c
        UNION ALL
        SELECT CAST(:timer_msg_id AS uuid), CAST(:jurisdiction_id AS uuid),
               CAST(:timer_topic AS varchar), CAST(:timer_key AS varchar), id, NULL,
               CAST(:timer_payload AS jsonb), 'pending',
               CAST(:verification_due_at AS timestamptz), 0, CAST(:now AS timestamptz), NULL
        FROM c
    )
    SELECT true AS new, id, NULL AS text FROM c
    UNION ALL
    SELECT false, id, text FROM earlier
    """  # noqa: S608 - constant fragments
    )
)

# The link, on the rows the statement above wrote; the first event says it as it always did.
_LINK = text(
    """
    WITH c AS (
        UPDATE complaints SET possible_duplicate_of = :duplicate_of
        WHERE id = :id AND jurisdiction_id = :jurisdiction_id
    )
    UPDATE complaint_events
    SET data = data || jsonb_build_object('possible_duplicate_of', CAST(:duplicate_of AS text))
    WHERE complaint_id = :id AND jurisdiction_id = :jurisdiction_id AND seq = 1
    """
)

_EXISTING = text(
    """
    SELECT id, tracking_id, status, suggested_type, received_at, verification_due_at
    FROM complaints
    WHERE jurisdiction_id = :jurisdiction_id AND channel = :channel
      AND submitted_by = :submitted_by AND channel_ref = :channel_ref
    """
)


@dataclass(frozen=True)
class IntakeResult:
    created: bool
    body: ComplaintCreated


def _received_at(body: ComplaintCreate, now: datetime) -> datetime:
    if body.received_at is None:
        return now
    if body.received_at > now + CLOCK_SKEW:
        raise Invalid.field("received_at", "received_at cannot be in the future.")
    return body.received_at.astimezone(UTC)


async def _counter_site(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body: ComplaintCreate
) -> dict[str, Any]:
    """The counter site with its agency's id, or nothing; 422 for an unknown agency code."""
    if body.counter_site is None:
        return {}
    code = body.counter_site.agency_code
    agency_id = await agency_id_by_code(session, jurisdiction_id, code)
    if agency_id is None:
        raise Invalid.field(
            "counter_site.agency_code", f"No agency has the code {code!r}.", "unknown_agency"
        )
    site = {"agency_code": code, "agency_id": str(agency_id), "event": body.counter_site.event}
    return {"counter_site": site}


def _channel_detail(body: ComplaintCreate) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    if body.platform:
        detail["platform"] = body.platform
    if body.counter_kind:
        detail["counter_kind"] = body.counter_kind
    if body.call_ref:
        detail["call_ref"] = body.call_ref
    if body.letter_number:
        detail["letter_number"] = body.letter_number
    if body.letter_date:
        detail["letter_date"] = body.letter_date.isoformat()
    if body.contact_consent is not None:
        detail["contact_consent"] = body.contact_consent
    if body.filed_by is not None:
        # Who filed is personal data and lives encrypted with the reporter; only the fact shows.
        detail["filed_on_behalf"] = True
    return detail


async def take_in(
    session: AsyncSession,
    ctx: JurisdictionContext,
    cipher: Sealer,
    principal: Principal,
    body: ComplaintCreate,
    *,
    extra_detail: dict[str, Any] | None = None,
    duplicates: DuplicateRule = DuplicateRule(),
    now: datetime,
) -> IntakeResult:
    """Store a new complaint, or return the one this sender's channel message already created."""
    received_at = _received_at(body, now)
    if body.occurred_at is not None and body.occurred_at > now + CLOCK_SKEW:
        raise Invalid.field("occurred_at", "occurred_at cannot be in the future.")
    if body.category_id is not None:
        await check_category(session, ctx.id, body.category_id)
    site = await _counter_site(session, ctx.id, body)
    policy = ctx.policy_at(received_at)
    verification_due_at = ctx.calendar.add_days(received_at, policy.verification_days, policy.unit)
    loc = body.location
    # The routing verify would do now (the same function), kept with the suggestion.
    routed = await suggest_and_route(
        session,
        ctx,
        Sample(
            body.text, body.title, body.category_id, loc.region_code if loc else None, body.channel
        ),
        loc.address if loc else None,
    )
    suggestion, suggested_category_id = routed.suggestion, routed.suggested_category_id
    reporter = body.reporter.model_dump(exclude_none=True) if body.reporter else {}
    if body.filed_by is not None:
        reporter["filed_by"] = body.filed_by.model_dump(exclude_none=True)
    hashes = {
        kind: cipher.blind_index(kind, reporter.get(field))
        for kind, field in (
            ("nik", "nik"),
            ("phone", "phone"),
            ("email", "email"),
            ("social", "social_id"),
        )
    }
    event_data: dict[str, Any] = {"channel": body.channel, "received_at": received_at.isoformat()}
    params: dict[str, object] = {
        "jurisdiction_id": ctx.id,
        "channel": body.channel,
        "channel_detail": _json(_channel_detail(body) | site | (extra_detail or {})),
        "channel_ref": body.channel_ref,
        "title": body.title,
        "text": body.text,
        "category_id": body.category_id,
        "region_code": loc.region_code if loc else None,
        "address": loc.address if loc else None,
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "occurred_at": body.occurred_at,
        "received_at": received_at,
        "suggested_type": suggestion.type.value,
        "suggested_category_id": suggested_category_id,
        "suggested_category_code": suggestion.category.value,
        "suggestion": _json(suggestion.as_json() | {"routing": routed.decision.summary()}),
        "anonymous": body.anonymous,
        "confidential": body.confidential,
        "callback_url": str(body.callback_url) if body.callback_url else None,
        "attachments": _json(body.attachments),
        "policy_id": policy.id,
        "verification_due_at": verification_due_at,
        "submitted_by": principal.id,
        "now": now,
        "has_reporter": bool(reporter),
        **{f"{kind}_hash": value for kind, value in hashes.items()},
        "actor": _json(principal.actor),
        "event_data": _json(event_data),
        **search_params(duplicates, ctx.id, received_at, hashes),
        "event_topic": EVENT_TOPIC,
        "timer_topic": TIMER_TOPIC,
        "timer_payload": _json(
            {"kind": "verification_overdue", "due": verification_due_at.isoformat()}
        ),
    }
    # A tracking id collision (odds ~1e-9 per complaint at a million complaints, counted over
    # every jurisdiction's numbers in tracking_ids) is the only way to get no row without a
    # channel_ref match; a fresh id settles it.
    for _ in range(3):
        complaint_id = uuid.uuid4()
        key_id, ciphertext = (
            cipher.seal(Sealed.IDENTITY, reporter, complaint_id) if reporter else ("", b"")
        )
        params |= {
            "id": complaint_id,
            "tracking_id": new_tracking_id(),
            "key_id": key_id,
            "ciphertext": ciphertext,
            "event_msg_id": uuid.uuid4(),
            "timer_msg_id": uuid.uuid4(),
            "timer_key": f"verification_overdue:{complaint_id}",
        }
        rows = await _INSERT.fetch(session, params)
        if any(row["new"] for row in rows):
            # Linked for the admins, never dropped; the link is in the first event too.
            earlier = [(row["id"], row["text"]) for row in rows if not row["new"]]
            duplicate_of = best_match(body.text, earlier, duplicates.min_similarity)
            if duplicate_of is not None:
                await session.execute(
                    _LINK,
                    {"id": complaint_id, "jurisdiction_id": ctx.id, "duplicate_of": duplicate_of},
                )
            await attachments.claim(session, principal, complaint_id, body.attachments)
            return IntakeResult(
                True,
                ComplaintCreated(
                    id=complaint_id,
                    tracking_id=params["tracking_id"],
                    status="received",
                    suggested_type=suggestion.type.value,
                    received_at=received_at,
                    verification_due_at=verification_due_at,
                ),
            )
        if body.channel_ref is not None:
            row = (await session.execute(_EXISTING, params)).mappings().first()
            if row is not None:
                return IntakeResult(False, ComplaintCreated(**row, existing=True))
    raise RuntimeError("could not allocate a unique tracking id")
