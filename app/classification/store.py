"""The model in use per jurisdiction: loaded once per process, reloaded only for a newer version.

Each call costs one indexed look-up of the newest kept version number (at most once per
`VERSION_CHECK_SECONDS` per jurisdiction); the arrays are read and unpacked only when that
number changed.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.classification.learned import LinearModel, unpack
from app.classification.models import RoutingModel
from app.kernel.cache import TTLCache

VERSION_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Loaded:
    version: int
    heads: dict[str, LinearModel]
    evaluation: dict[str, object]


versions: TTLCache[uuid.UUID, Loaded | None] = TTLCache(VERSION_CHECK_SECONDS)


async def current(session: AsyncSession, jurisdiction_id: uuid.UUID) -> Loaded | None:
    """The newest kept model of the jurisdiction, or None before there is one."""
    return await versions.get(jurisdiction_id, lambda held: _newest(session, jurisdiction_id, held))


async def _newest(
    session: AsyncSession, jurisdiction_id: uuid.UUID, loaded: Loaded | None
) -> Loaded | None:
    newest = await session.scalar(
        select(RoutingModel.version)
        .where(RoutingModel.jurisdiction_id == jurisdiction_id, RoutingModel.kept)
        .order_by(RoutingModel.version.desc())
        .limit(1)
    )
    if newest is None:
        return None
    if loaded is None or loaded.version != newest:
        row = (
            await session.execute(
                select(RoutingModel.arrays, RoutingModel.evaluation).where(
                    RoutingModel.jurisdiction_id == jurisdiction_id,
                    RoutingModel.version == newest,
                )
            )
        ).one()
        loaded = Loaded(newest, unpack(row.arrays), row.evaluation) if row.arrays else None
    return loaded


def forget(jurisdiction_id: uuid.UUID) -> None:
    """This process trained a new version: look again at the next call."""
    versions.invalidate(jurisdiction_id)
