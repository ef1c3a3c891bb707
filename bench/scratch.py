"""A scratch database for one benchmark run: created on BENCH_DATABASE_URL's server, migrated,
and dropped afterwards whatever happened, so a failed run leaves nothing behind (unless the run
asks to keep it, to measure again on the same data)."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from urllib.parse import urlsplit, urlunsplit

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


async def _on_server(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(prefix: str, keep: bool = False) -> AsyncIterator[str]:
    """Yields the URL of a new, migrated database named `<prefix>_<random>`; `keep` leaves it
    on the server after a run that ended without an error (the caller prints its URL)."""
    from app import migrate

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await _on_server(f'CREATE DATABASE "{name}"')
    try:
        url = _url(name)
        await asyncio.to_thread(migrate.upgrade, url)  # alembic runs its own event loop
        yield url
    except BaseException:
        keep = False
        raise
    finally:
        if not keep:
            await _on_server(f'DROP DATABASE "{name}" WITH (FORCE)')


@contextmanager
def blocking_scratch_database(prefix: str) -> Iterator[str]:
    """The same for a script whose steps each run their own event loop (`asyncio.run`)."""
    from app import migrate

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_on_server(f'CREATE DATABASE "{name}"'))
    try:
        url = _url(name)
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_on_server(f'DROP DATABASE "{name}" WITH (FORCE)'))
