"""Classification use cases: suggest at intake, learn from verified history, report agreement."""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification import learned
from app.classification.models import ClassifierModel
from app.classification.rules import Guess, Suggestion, classify

# Other processes pick up a newly trained model within this many seconds.
MODEL_CACHE_SECONDS = 300.0

_models: dict[uuid.UUID, tuple[float, dict[str, Any] | None]] = {}


async def _model(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[str, Any] | None:
    hit = _models.get(jurisdiction_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < MODEL_CACHE_SECONDS:
        return hit[1]
    row = await session.get(ClassifierModel, jurisdiction_id)
    params = row.params if row is not None else None
    _models[jurisdiction_id] = (now, params)
    return params


async def suggest(
    session: AsyncSession, jurisdiction_id: uuid.UUID, body_text: str, title: str | None
) -> tuple[Suggestion, uuid.UUID | None]:
    """The suggestion for a new complaint and, when the learned model chose it, its category id.

    The rules are pure CPU; the learned model is read once per jurisdiction per cache period.
    """
    suggestion = classify(body_text, title)
    params = await _model(session, jurisdiction_id)
    category_id: uuid.UUID | None = None
    if params is None:
        return suggestion, None
    full = f"{title or ''} {body_text}"
    kind, category = suggestion.type, suggestion.category
    type_method = category_method = "rules"
    if params.get("use_type"):
        kind, type_method = learned.predict(params["type"], full), "learned"
    if params.get("use_category"):
        category = learned.predict(params["category"], full)
        category_method = "learned"
        category_id = uuid.UUID(category.value) if category.value else None
        codes: dict[str, str] = params.get("codes", {})
        category = Guess(codes.get(category.value or ""), category.confidence, category.cues)
    return Suggestion(kind, category, type_method, category_method), category_id


_HISTORY = text(
    """
    SELECT coalesce(c.title, '') || ' ' || c.text AS text, c.type, c.category_id::text AS category,
           cat.code
    FROM complaints c LEFT JOIN categories cat ON cat.id = c.category_id
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL AND c.type IS NOT NULL
    ORDER BY c.verified_at
    """
)


async def train(session: AsyncSession, jurisdiction_id: uuid.UUID) -> dict[str, Any]:
    """Learn from verified history; keep each learned part only if it beats the rules held out."""
    rows = (await session.execute(_HISTORY, {"j": jurisdiction_id})).all()
    if len(rows) < learned.MIN_HISTORY:
        return {"trained": False, "samples": len(rows), "needed": learned.MIN_HISTORY}
    train_rows, held_out = learned.split(rows)
    type_model = learned.train([(r.text, r.type) for r in train_rows])
    with_category = [r for r in rows if r.category]
    cat_train, cat_held = learned.split(with_category)
    category_model = learned.train([(r.text, r.category) for r in cat_train])
    codes = {r.category: r.code for r in with_category}
    by_code = {code: cid for cid, code in codes.items()}

    def rules_type(t: str) -> str | None:
        return classify(t).type.value

    def rules_category(t: str) -> str | None:
        return by_code.get(classify(t).category.value or "")

    scores = {
        "type_model": learned.accuracy(
            lambda t: learned.predict(type_model, t).value, [(r.text, r.type) for r in held_out]
        ),
        "type_rules": learned.accuracy(rules_type, [(r.text, r.type) for r in held_out]),
        "category_model": learned.accuracy(
            lambda t: learned.predict(category_model, t).value,
            [(r.text, r.category) for r in cat_held],
        ),
        "category_rules": learned.accuracy(
            rules_category, [(r.text, r.category) for r in cat_held]
        ),
    }
    params = {
        "type": type_model,
        "category": category_model,
        "codes": codes,
        "use_type": scores["type_model"] > scores["type_rules"],
        "use_category": bool(cat_held) and scores["category_model"] > scores["category_rules"],
        "scores": scores,
    }
    values = {
        "trained_at": datetime.now(UTC),
        "samples": len(rows),
        "model_accuracy": scores["type_model"],
        "rules_accuracy": scores["type_rules"],
        "params": params,
    }
    await session.execute(
        pg_insert(ClassifierModel)
        .values(jurisdiction_id=jurisdiction_id, **values)
        .on_conflict_do_update(index_elements=["jurisdiction_id"], set_=values)
    )
    _models.pop(jurisdiction_id, None)
    return {
        "trained": True,
        "samples": len(rows),
        "use_type": params["use_type"],
        "use_category": params["use_category"],
        **scores,
    }


_AGREEMENT = text(
    """
    SELECT 'type' AS dimension, c.type AS key, c.type AS label, count(*) AS total,
           count(*) FILTER (WHERE c.suggested_type = c.type) AS agreed
    FROM complaints c
    WHERE c.jurisdiction_id = :j AND c.type IS NOT NULL AND c.suggested_type IS NOT NULL
      AND (CAST(:since AS timestamptz) IS NULL OR c.verified_at >= :since)
    GROUP BY c.type
    UNION ALL
    SELECT 'category', c.category_id::text, coalesce(cat.name, ''), count(*),
           count(*) FILTER (WHERE c.suggested_category_id = c.category_id)
    FROM complaints c JOIN categories cat ON cat.id = c.category_id
    WHERE c.jurisdiction_id = :j AND c.verified_at IS NOT NULL AND c.suggestion IS NOT NULL
      AND (CAST(:since AS timestamptz) IS NULL OR c.verified_at >= :since)
    GROUP BY c.category_id, cat.name
    ORDER BY 1, 2
    """
)


async def agreement(
    session: AsyncSession, jurisdiction_id: uuid.UUID, since: datetime | None
) -> dict[str, list[dict[str, Any]]]:
    """How often the admin's decision at verification agreed with the suggestion."""
    rows = (await session.execute(_AGREEMENT, {"j": jurisdiction_id, "since": since})).all()
    out: dict[str, list[dict[str, Any]]] = {"type": [], "category": []}
    for r in rows:
        out[r.dimension].append(
            {
                "key": r.key,
                "label": r.label,
                "total": r.total,
                "agreed": r.agreed,
                "agreement": round(r.agreed / r.total, 4) if r.total else None,
            }
        )
    return out
