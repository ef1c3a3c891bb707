"""Regions: loading the Kemendagri list, listing it, and resolving free-text addresses."""

import csv
import gzip
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.kernel.cache import TTLCache
from app.routing import schemas
from app.routing.models import Region
from app.routing.regions import Match, Place, resolve

DATA = Path(__file__).parent / "data" / "kepmendagri_2025.csv.gz"
LEVELS = ("kecamatan", "desa_kelurahan")
PLACES_CACHE_SECONDS = 600.0

_places: TTLCache[str, list[Place]] = TTLCache(PLACES_CACHE_SECONDS)


def read_rows(jurisdiction_code: str, source: Path = DATA) -> list[Place]:
    """The kecamatan and desa/kelurahan under `jurisdiction_code` in the shipped list."""
    prefix = jurisdiction_code + "."
    out: list[Place] = []
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["kode"]
            if code.startswith(prefix) and row["level"] in LEVELS:
                out.append(Place(code, row["nama"], row["level"], code.rsplit(".", 1)[0]))
    return out


async def load(session: AsyncSession, jurisdiction_code: str) -> int:
    """Upsert the jurisdiction's regions; returns how many rows the list holds for it."""
    places = read_rows(jurisdiction_code)
    for start in range(0, len(places), 1000):
        chunk = places[start : start + 1000]
        stmt = pg_insert(Region).values(
            [
                {"code": p.code, "name": p.name, "level": p.level, "parent_code": p.parent_code}
                for p in chunk
            ]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["code"],
                set_={"name": stmt.excluded.name, "level": stmt.excluded.level},
            )
        )
    _places.invalidate_after_commit(session, jurisdiction_code)
    return len(places)


async def list_regions(
    session: AsyncSession,
    jurisdiction_code: str,
    parent: str | None,
    limit: int,
    cursor: str | None,
) -> schemas.RegionPage:
    """Children of `parent` (default: the jurisdiction itself), by code."""
    query = select(Region).where(Region.parent_code == (parent or jurisdiction_code))
    query = query.where(Region.code.startswith(jurisdiction_code + "."))
    if cursor:
        query = query.where(Region.code > cursor)
    rows = list((await session.scalars(query.order_by(Region.code).limit(limit + 1))).all())
    page = rows[:limit]
    return schemas.RegionPage(
        items=[
            schemas.RegionOut(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code)
            for r in page
        ],
        next_cursor=page[-1].code if len(rows) > limit else None,
    )


async def places(session: AsyncSession, jurisdiction_code: str) -> list[Place]:
    """The jurisdiction's loaded regions, cached per process."""
    return await _places.get(jurisdiction_code, lambda _: _read_places(session, jurisdiction_code))


async def _read_places(session: AsyncSession, jurisdiction_code: str) -> list[Place]:
    rows = (
        await session.scalars(select(Region).where(Region.code.startswith(jurisdiction_code + ".")))
    ).all()
    return [Place(r.code, r.name, r.level, r.parent_code) for r in rows]


async def resolve_address(
    session: AsyncSession, jurisdiction_code: str, address: str
) -> Match | None:
    """The region an address names, with a similarity score (0-100), if any scores enough."""
    return resolve(address, await places(session, jurisdiction_code))


def match_out(match: Match | None) -> schemas.RegionMatchOut:
    if match is None:
        return schemas.RegionMatchOut(match=None, score=None, matched_text=None)
    p = match.place
    return schemas.RegionMatchOut(
        match=schemas.RegionOut(code=p.code, name=p.name, level=p.level, parent_code=p.parent_code),
        score=round(match.score, 1),
        matched_text=match.matched_text,
    )
