"""Classification use cases: suggest a type and category at intake, report agreement."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification import store
from app.classification.rules import Guess, Suggestion, classify
from app.classification.text import normalize

# A learned type or category below this probability gives way to the rule cues.
LEARNED_MIN_CONFIDENCE = 0.6


def _head_usable(loaded: store.Loaded, head: str) -> bool:
    info = loaded.evaluation.get(head)
    return head in loaded.heads and isinstance(info, dict) and bool(info.get("beats_baseline"))


async def suggest(
    session: AsyncSession,
    jurisdiction_id: uuid.UUID,
    body_text: str,
    title: str | None,
    region_code: str | None = None,
) -> tuple[Suggestion, uuid.UUID | None]:
    """The type and category suggestion and, when the learned model chose it, its category id.

    The rules answer when there is no model, when the model did not beat them on its hold-out,
    or when it is unsure (below `LEARNED_MIN_CONFIDENCE`).
    """
    suggestion = classify(body_text, title)
    loaded = await store.current(session, jurisdiction_id)
    if loaded is None:
        return suggestion, None
    words = normalize(f"{title or ''} {body_text}")
    kind, category = suggestion.type, suggestion.category
    type_method = category_method = "rules"
    category_id: uuid.UUID | None = None
    if _head_usable(loaded, "type"):
        model = loaded.heads["type"]
        [(label, p)], cues = model.explain(words, region_code, k=1)
        if p >= LEARNED_MIN_CONFIDENCE:
            kind = Guess(label, p, cues)
            type_method = "learned"
    if _head_usable(loaded, "category"):
        model = loaded.heads["category"]
        [(label, p)], cues = model.explain(words, region_code, k=1)
        if p >= LEARNED_MIN_CONFIDENCE:
            codes: dict[str, str] = loaded.evaluation.get("category_codes") or {}  # type: ignore[assignment]
            category = Guess(codes.get(label), p, cues)
            category_method, category_id = "learned", uuid.UUID(label)
    return Suggestion(kind, category, type_method, category_method), category_id


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
