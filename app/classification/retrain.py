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
from app.complaints import readmodel
from app.jurisdictions import service as jurisdictions
from app.routing import reference
from app.routing.decide import Sample, evaluate

# Older versions keep their evaluation; only this many newest kept ones keep their arrays.
KEEP_ARRAYS = 3
# The worker retrains a jurisdiction once this many new labelled complaints arrived.
RETRAIN_MIN_NEW = 50


async def history(
    session: AsyncSession, jurisdiction_id: uuid.UUID
) -> tuple[list[training.Example], dict[str, str]]:
    """Every verified complaint as an example, with the cold start's answers as its baseline."""
    rows = await readmodel.verified(session, jurisdiction_id)
    ref = await reference.read(session, jurisdiction_id)
    codes = {str(c.id): c.code for c in ref.categories.values()}
    by_code = {c.code: str(c.id) for c in ref.categories.values()}
    defaults = {
        str(c.id): str(c.default_agency_id) for c in ref.categories.values() if c.default_agency_id
    }
    examples = []
    for r in rows:
        winner, _ = evaluate(
            ref.rules, Sample(r.text, None, r.routing_category_id, r.region_code, r.channel)
        )
        rules = classify(r.text)
        # A decided agency that is no longer active is no answer to learn.
        agency = str(r.agency_id) if r.agency_id in ref.agencies else None
        examples.append(
            training.Example(
                text=r.text,
                region_code=r.region_code,
                labels={
                    "agency": agency,
                    "category": str(r.category_id) if r.category_id else None,
                    "type": r.type,
                },
                baseline={
                    "agency": str(winner.rule.agency_id)
                    if winner
                    else defaults.get(str(r.routing_category_id)),
                    "category": by_code.get(rules.category.value or ""),
                    "type": rules.type.value,
                },
            )
        )
    return examples, codes


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
    ref = await reference.read(session, jurisdiction_id)
    # The fitting is CPU work: off the event loop, so the server keeps answering meanwhile.
    # Area offices share one label when learned (agency id -> the region each serves).
    outcome = await asyncio.to_thread(
        training.run, examples, loaded.heads if loaded else None, ref.threshold_setting, ref.areas
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
        | {
            "category_codes": codes,
            "agency_codes": await reference.agency_codes(session, jurisdiction_id),
        },
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
    active = (await reference.read(session, jurisdiction_id)).agencies
    labelled = await readmodel.labelled(session, jurisdiction_id, active)
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
