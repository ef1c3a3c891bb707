"""A scratch database for one benchmark run: created on BENCH_DATABASE_URL's server, migrated,
and dropped afterwards whatever happened, so a failed run leaves nothing behind."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """Yields the URL of a new, migrated database named `<prefix>_<random>`."""
    import asyncpg

    from app import migrate

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))
        await asyncio.to_thread(migrate.upgrade, url)  # alembic runs its own event loop
        yield url
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
