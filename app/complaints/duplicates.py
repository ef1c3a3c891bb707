"""Possible duplicates: the same reporter saying much the same thing again, through any door.

A complaint is never dropped for looking like another; it is linked (`possible_duplicate_of`)
so an admin can archive it as a duplicate, which keeps the earlier complaint and its clock.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.classification.text import content_words
from app.kernel.config import Settings

# Short words ("rt", "no") and stopwords say little about what a complaint is about.
MIN_TOKEN_LENGTH = 3
CANDIDATES = 20


@dataclass(frozen=True)
class DuplicateRule:
    window: timedelta = timedelta(days=30)
    min_similarity: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> "DuplicateRule":
        return cls(
            timedelta(days=settings.duplicate_window_days), settings.duplicate_min_similarity
        )


def tokens(value: str) -> frozenset[str]:
    """The service's one normaliser ("jln rusak" and "jalan rusak" are the same words)."""
    return frozenset(t for t in content_words(value) if len(t) >= MIN_TOKEN_LENGTH)


def _jaccard(ta: frozenset[str], tb: frozenset[str]) -> float:
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def similarity(a: str, b: str) -> float:
    """Token-set similarity (Jaccard) of two texts, 0..1."""
    return _jaccard(tokens(a), tokens(b))


def best_match(
    new_text: str, earlier: list[tuple[uuid.UUID, str]], threshold: float
) -> uuid.UUID | None:
    """The most similar earlier complaint at or above `threshold`, if any."""
    new_tokens = tokens(new_text)  # once, not once per candidate
    scored = [(_jaccard(new_tokens, tokens(t)), cid) for cid, t in earlier]
    scored = [s for s in scored if s[0] >= threshold]
    return max(scored, key=lambda s: s[0])[1] if scored else None


# The search is a part of the intake statement (app/complaints/intake.py): the reporter's
# earlier complaints are read in the round trip that stores the new one, which they cannot
# include (every part of one statement reads the same snapshot). Each identity hash finds its
# own latest reporters through its (hash, created_at) index, so the search costs the same
# whether the reporter is new (no row) or has thousands of complaints (the newest few):
# scanning the window's complaints for a matching reporter grew with the table and was most
# of the database's time at intake.
EARLIER_CTES = """
    dup_hits AS (
        (SELECT complaint_id FROM reporters
         WHERE CAST(:dup_nik AS varchar) IS NOT NULL AND nik_hash = :dup_nik
           AND created_at >= :dup_since
         ORDER BY created_at DESC LIMIT :dup_limit)
        UNION
        (SELECT complaint_id FROM reporters
         WHERE CAST(:dup_phone AS varchar) IS NOT NULL AND phone_hash = :dup_phone
           AND created_at >= :dup_since
         ORDER BY created_at DESC LIMIT :dup_limit)
        UNION
        (SELECT complaint_id FROM reporters
         WHERE CAST(:dup_email AS varchar) IS NOT NULL AND email_hash = :dup_email
           AND created_at >= :dup_since
         ORDER BY created_at DESC LIMIT :dup_limit)
        UNION
        (SELECT complaint_id FROM reporters
         WHERE CAST(:dup_social AS varchar) IS NOT NULL AND social_hash = :dup_social
           AND created_at >= :dup_since
         ORDER BY created_at DESC LIMIT :dup_limit)
    ), earlier AS (
        -- Each hit is one primary-key read, whatever the statistics say: on a young table the
        -- planner hashed, or range-scanned, all of the window's complaints, O(rows) per intake.
        -- The LIMIT keeps the LATERAL subquery (and its key-only condition) from being merged
        -- with the filters below.
        SELECT c.id, c.text FROM dup_hits CROSS JOIN LATERAL (
            SELECT id, text, received_at, jurisdiction_id, status FROM complaints
            WHERE id = dup_hits.complaint_id
            LIMIT 1
        ) c
        WHERE c.jurisdiction_id = :dup_jurisdiction AND c.received_at >= :dup_since
          AND c.status <> 'archived'
        ORDER BY c.received_at DESC
        LIMIT :dup_limit
    )
"""


def search_params(
    rule: DuplicateRule,
    jurisdiction_id: uuid.UUID,
    received_at: datetime,
    hashes: dict[str, str | None],
) -> dict[str, object]:
    """The parameters of EARLIER_CTES; with no identity hash every branch reads nothing."""
    return {
        "dup_jurisdiction": jurisdiction_id,
        "dup_since": received_at - rule.window,
        "dup_limit": CANDIDATES,
        **{f"dup_{k}": hashes.get(k) for k in ("nik", "phone", "email", "social")},
    }
