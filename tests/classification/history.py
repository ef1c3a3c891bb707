"""The corpus as a jurisdiction's verified history, for tests that train through the API."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.classification.evaluate_csv import Row, load_history, read, split
from app.routing.models import Agency
from tests.factories import World

CORPUS = Path(__file__).parent / "data" / "complaints_ngawi.csv"
WIDE = Path(__file__).parent / "data" / "complaints_wide.csv"  # 36 agencies, 8 kecamatan


def corpus(path: Path = CORPUS) -> tuple[list[Row], list[Row]]:
    """The corpus split by time: (older four fifths for history, newest fifth to route)."""
    rows = read(str(path))
    train, held, _ = split(rows)
    return [rows[i] for i in train], [rows[i] for i in held]


async def load(
    sessions: async_sessionmaker[AsyncSession], world: World, rows: list[Row]
) -> dict[str, str]:
    """Add the corpus's agencies to the world and its rows as closed, admin-routed complaints."""
    async with sessions() as session, session.begin():
        agencies = {
            code: await session.get(Agency, agency_id)
            for code, agency_id in world.agencies.items()
            if code in {r.agency for r in rows}
        }
        for code in sorted({r.agency for r in rows} - set(agencies)):
            agencies[code] = Agency(
                jurisdiction_id=world.jurisdiction_id, code=code, name=code, kind="dinas"
            )
            session.add(agencies[code])
        await session.flush()
        await load_history(
            session,
            world.jurisdiction_id,
            rows,
            {k: v for k, v in agencies.items() if v is not None},
            datetime.now(UTC),
        )
        return {code: str(a.id) for code, a in agencies.items() if a is not None}
