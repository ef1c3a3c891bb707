"""The model in use per jurisdiction: loaded once per process, reloaded only for a newer version.

Each call costs one indexed look-up of the newest kept version number (at most once per
`VERSION_CHECK_SECONDS` per jurisdiction); the arrays are read and unpacked only when that
number changed.
"""

import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification.learned import LinearModel, unpack
from app.classification.models import RoutingModel

VERSION_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Loaded:
    version: int
    heads: dict[str, LinearModel]
    evaluation: dict[str, object]


_cache: dict[uuid.UUID, tuple[float, Loaded | None]] = {}


async def current(session: AsyncSession, jurisdiction_id: uuid.UUID) -> Loaded | None:
    """The newest kept model of the jurisdiction, or None before there is one."""
    now = time.monotonic()
    hit = _cache.get(jurisdiction_id)
    if hit is not None and now - hit[0] < VERSION_CHECK_SECONDS:
        return hit[1]
    newest = await session.scalar(
        select(RoutingModel.version)
        .where(RoutingModel.jurisdiction_id == jurisdiction_id, RoutingModel.kept)
        .order_by(RoutingModel.version.desc())
        .limit(1)
    )
    loaded = hit[1] if hit is not None else None
    if newest is None:
        loaded = None
    elif loaded is None or loaded.version != newest:
        row = (
            await session.execute(
                select(RoutingModel.arrays, RoutingModel.evaluation).where(
                    RoutingModel.jurisdiction_id == jurisdiction_id,
                    RoutingModel.version == newest,
                )
            )
        ).one()
        loaded = Loaded(newest, unpack(row.arrays), row.evaluation) if row.arrays else None
    _cache[jurisdiction_id] = (now, loaded)
    return loaded


def forget(jurisdiction_id: uuid.UUID) -> None:
    """This process trained a new version: look again at the next call."""
    _cache.pop(jurisdiction_id, None)
