"""Training from a jurisdiction's verified history: by API, on the worker's schedule, by CLI.

The label of a complaint is the agency that finally handled it: the agency it is with once
that agency took it up (in progress, answered, closed), after any transfers, or the agency an
admin chose by hand (at verify or by dispatch). An automatic dispatch nobody confirmed yet is
not a label: the model must not learn its own guesses.
"""

import asyncio
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.classification import store, training
from app.classification.learned import pack
from app.classification.models import RoutingModel
from app.classification.rules import classify
from app.jurisdictions import service as jurisdictions
from app.routing import reference
from app.routing.decide import Sample, evaluate
from app.routing.service import own_threshold

# Older versions keep their evaluation; only this many newest kept ones keep their arrays.
KEEP_ARRAYS = 3
# The worker retrains a jurisdiction once this many new labelled complaints arrived.
RETRAIN_MIN_NEW = 50

_HISTORY = text(
    """
    SELECT coalesce(c.title, '') || ' ' || c.text AS text, c.region_code, c.type, c.channel,
           c.category_id::text AS category,
           coalesce(c.category_id, c.suggested_category_id) AS routing_category,
           CASE WHEN a.active AND (c.status IN ('in_progress', 'responded', 'closed')
                                   OR c.routing->>'routed_by' = 'admin')
                THEN c.agency_id::text END AS agency
    FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL
    ORDER BY c.verified_at, c.id
    """
)

_CATEGORIES = text(
    """
    SELECT id::text AS id, code, default_agency_id::text AS default_agency FROM categories
    WHERE jurisdiction_id = :j AND active
    """
)

LABELLED = text(
    """
    SELECT count(*) FROM complaints c JOIN agencies a ON a.id = c.agency_id
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL AND a.active
      AND (c.status IN ('in_progress', 'responded', 'closed') OR c.routing->>'routed_by' = 'admin')
    """
)


async def history(
    session: AsyncSession, jurisdiction_id: uuid.UUID
) -> tuple[list[training.Example], dict[str, str]]:
    """Every verified complaint as an example, with the cold start's answers as its baseline."""
    rows = (await session.execute(_HISTORY, {"j": jurisdiction_id})).all()
    categories = (await session.execute(_CATEGORIES, {"j": jurisdiction_id})).all()
    codes = {c.id: c.code for c in categories}
    by_code = {c.code: c.id for c in categories}
    defaults = {c.id: c.default_agency for c in categories if c.default_agency}
    specs = (await reference.load(session, jurisdiction_id)).rules
    examples = []
    for r in rows:
        winner, _ = evaluate(
            specs, Sample(r.text, None, r.routing_category, r.region_code, r.channel)
        )
        rules = classify(r.text)
        examples.append(
            training.Example(
                text=r.text,
                region_code=r.region_code,
                labels={"agency": r.agency, "category": r.category, "type": r.type},
                baseline={
                    "agency": str(winner.rule.agency_id)
                    if winner
                    else defaults.get(str(r.routing_category)),
                    "category": by_code.get(rules.category.value or ""),
                    "type": rules.type.value,
                },
            )
        )
    return examples, codes


async def areas(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[str, str]:
    """The active area offices (agency id -> the region each serves): one label when learned."""
    rows = await session.execute(
        text(
            "SELECT id::text AS id, region_code FROM agencies "
            "WHERE jurisdiction_id = :j AND active AND region_code IS NOT NULL"
        ),
        {"j": jurisdiction_id},
    )
    return {r.id: r.region_code for r in rows}


async def agency_codes(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[str, str]:
    rows = await session.execute(
        text("SELECT id::text AS id, code FROM agencies WHERE jurisdiction_id = :j"),
        {"j": jurisdiction_id},
    )
    return {r.id: r.code for r in rows}


def _out(row: RoutingModel) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "trained_at": row.trained_at,
        "samples": row.samples,
        "kept": row.kept,
        "size_bytes": row.size_bytes,
        "evaluation": row.evaluation,
    }


async def train(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    now: datetime,
) -> dict[str, Any] | None:
    """Train, evaluate against the model in use, store the version; None: too little history."""
    # One training per jurisdiction at a time: the version numbers stay a sequence.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('routing_models:' || :j))"),
        {"j": str(jurisdiction_id)},
    )
    examples, codes = await history(session, jurisdiction_id)
    if sum(1 for e in examples if e.labels["agency"]) < training.MIN_HISTORY:
        return None
    loaded = await store.current(session, jurisdiction_id)
    setting = await own_threshold(session, jurisdiction_id)
    # The fitting is CPU work: off the event loop, so the server keeps answering meanwhile.
    offices = await areas(session, jurisdiction_id)
    outcome = await asyncio.to_thread(
        training.run, examples, loaded.heads if loaded else None, setting, offices
    )
    last = await session.scalar(
        select(func.max(RoutingModel.version)).where(
            RoutingModel.jurisdiction_id == jurisdiction_id
        )
    )
    arrays = pack(outcome.heads) if outcome.kept else None
    row = RoutingModel(
        jurisdiction_id=jurisdiction_id,
        version=(last or 0) + 1,
        trained_at=now,
        samples=outcome.samples,
        kept=outcome.kept,
        # Labels are ids; the codes make the evaluation readable as it is.
        evaluation=outcome.evaluation
        | {"category_codes": codes, "agency_codes": await agency_codes(session, jurisdiction_id)},
        arrays=arrays,
        size_bytes=len(arrays or b""),
    )
    session.add(row)
    await session.flush()
    if outcome.kept:
        await _prune(session, jurisdiction_id)
        store.forget(jurisdiction_id)
    return _out(row)


async def _prune(session: AsyncSession, jurisdiction_id: uuid.UUID) -> None:
    keep = (
        select(RoutingModel.version)
        .where(RoutingModel.jurisdiction_id == jurisdiction_id, RoutingModel.kept)
        .order_by(RoutingModel.version.desc())
        .limit(KEEP_ARRAYS)
    )
    await session.execute(
        update(RoutingModel)
        .where(
            RoutingModel.jurisdiction_id == jurisdiction_id,
            RoutingModel.arrays.is_not(None),
            RoutingModel.version.not_in(keep),
        )
        .values(arrays=None)
    )


async def versions(
    session: AsyncSession, jurisdiction_id: uuid.UUID, limit: int, before: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    """Training runs, newest first, each with its evaluation (keyset on the version)."""
    query = select(RoutingModel).where(RoutingModel.jurisdiction_id == jurisdiction_id)
    if before is not None:
        query = query.where(RoutingModel.version < before)
    rows = list(
        (await session.scalars(query.order_by(RoutingModel.version.desc()).limit(limit + 1))).all()
    )
    page = rows[:limit]
    return [_out(r) for r in page], page[-1].version if len(rows) > limit else None


async def due(session: AsyncSession, jurisdiction_id: uuid.UUID) -> bool:
    """Enough new labelled history since the last run to be worth a retraining."""
    labelled = await session.scalar(LABELLED, {"j": jurisdiction_id}) or 0
    last = await session.scalar(
        select(RoutingModel.samples)
        .where(RoutingModel.jurisdiction_id == jurisdiction_id)
        .order_by(RoutingModel.version.desc())
        .limit(1)
    )
    return labelled >= training.MIN_HISTORY and labelled >= (last or 0) + RETRAIN_MIN_NEW


async def retrain_due(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """The worker's periodic job: retrain every jurisdiction that is due, each on its own."""
    async with sessions() as session:
        ids = list(await jurisdictions.codes(session))
    trained = 0
    for jurisdiction_id in ids:
        async with sessions() as session, session.begin():
            if await due(session, jurisdiction_id):
                await train(session, jurisdiction_id, now)
                trained += 1
    return trained
