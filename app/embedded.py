"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

Every command that needs a database and has none shares one server under `.pgdata/`; pgserver
counts the processes using it and stops it when the last one exits, so `make run` and a
`python -m app create-user` beside it use the same data, and Ctrl-C leaves nothing running.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DIR = Path(os.environ.get("LAPOR_PGDATA", ".pgdata"))
DATABASE = "lapor"


@contextmanager
def embedded_database(directory: Path = DEFAULT_DIR) -> Iterator[str]:
    """Start (or join) the embedded server; yields a URL to the `lapor` database."""
    import pgserver  # imported here: only a laptop without DATABASE_URL needs it

    server = pgserver.get_server(directory.resolve(), cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        # DATABASE is a constant of ours, not input.
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE};")
        yield f"postgresql://postgres@/{DATABASE}?host={server.pgdata.resolve()}"
    finally:
        server.cleanup()


@contextmanager
def database_url(configured: str | None) -> Iterator[str]:
    """The configured URL, or the embedded server's for as long as the block runs."""
    if configured:
        yield configured
        return
    with embedded_database() as url:
        yield url
