"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given, outside production.

pgserver is the optional `embedded` extra (part of `dev`): production images do not carry it,
and production never starts it, so a forgotten DATABASE_URL cannot quietly keep citizens'
complaints in a directory beside the code.

Every command that needs a database and has none shares one server under `.pgdata/`; pgserver
counts the processes using it and stops it when the last one exits, so `make run` and a
`python -m app create-user` beside it use the same data, and Ctrl-C leaves nothing running.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.kernel.config import Settings

DEFAULT_DIR = Path(os.environ.get("LAPOR_PGDATA", ".pgdata"))
DATABASE = "lapor"


class NoDatabase(RuntimeError):
    """No DATABASE_URL and no embedded database allowed or installed."""


@contextmanager
def embedded_database(directory: Path = DEFAULT_DIR) -> Iterator[str]:
    """Start (or join) the embedded server; yields a URL to the `lapor` database."""
    try:
        import pgserver  # imported here: only a laptop without DATABASE_URL needs it
    except ImportError:
        raise NoDatabase(
            "DATABASE_URL is not set and the embedded database is not installed: "
            "set DATABASE_URL, or pip install -e '.[embedded]'"
        ) from None

    _forget_killed_users(directory)
    server = pgserver.get_server(directory.resolve(), cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        # DATABASE is a constant of ours, not input.
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE};")
        yield f"postgresql://postgres@/{DATABASE}?host={server.pgdata.resolve()}"
    finally:
        server.cleanup()


def _forget_killed_users(directory: Path) -> None:
    """pgserver keeps the pids of the processes using the server in `.handle_pids.json` and stops
    the server when the last one leaves; a process killed with SIGKILL (an OOM kill, `kill -9`)
    never leaves, so without this the server would never be stopped again."""
    path = directory / ".handle_pids.json"
    try:
        pids = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return
    alive = [pid for pid in pids if _running(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The configured URL, or the embedded server's for as long as the block runs."""
    if settings.database_url:
        yield settings.database_url
        return
    if settings.is_production:
        raise NoDatabase(
            "Refusing to start with LAPOR_ENVIRONMENT=production: DATABASE_URL is not set, "
            "and production never runs the embedded database"
        )
    with embedded_database() as url:
        yield url
