"""Classification use cases: suggest a type and category at intake, report agreement."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.classification import store
from app.classification.rules import Guess, Suggestion, classify
from app.classification.text import normalize
from app.complaints import readmodel
from app.routing.reference import category_names

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


async def agreement(
    session: AsyncSession, jurisdiction_id: uuid.UUID, since: datetime | None
) -> dict[str, list[dict[str, Any]]]:
    """How often the admin's decision at verification agreed with the suggestion."""
    counts = await readmodel.agreement(session, jurisdiction_id, since)
    names = await category_names(
        session, [uuid.UUID(a.key) for a in counts if a.dimension == "category"]
    )
    out: dict[str, list[dict[str, Any]]] = {"type": [], "category": []}
    for a in counts:
        out[a.dimension].append(
            {
                "key": a.key,
                "label": names.get(a.key, "") if a.dimension == "category" else a.key,
                "total": a.total,
                "agreed": a.agreed,
                "agreement": round(a.agreed / a.total, 4) if a.total else None,
            }
        )
    return out
