"""Test fixtures: a fresh PostgreSQL database built by the migrations, and an app against it.

TEST_DATABASE_URL points at a server we may create databases on; without it an embedded
PostgreSQL (pgserver) is started in a temporary directory. Each run migrates one template
database; each pytest-xdist worker clones its own from it, so parallel workers and parallel runs
never meet; each test starts from empty tables.
"""

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import migrate
from app.jurisdictions import service as jurisdictions
from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.kernel.db import make_engine, make_sessionmaker
from app.main import create_app
from app.models import Base
from tests.factories import World, make_world


def _start_server() -> tuple[str, object | None]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured, None
    import pgserver

    server = pgserver.get_server(
        Path(tempfile.mkdtemp(prefix="lapor-test-pg-")), cleanup_mode="delete"
    )
    return f"postgresql://postgres@/postgres?host={server.pgdata}", server


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


async def _admin(url: str, sql: str) -> None:
    base, _, query = url.partition("?")
    kwargs = {}
    if "host=" in query:
        kwargs["host"] = query.split("host=", 1)[1].split("&")[0]
        base = base.replace("@/", "@localhost/")
    conn = await asyncpg.connect(base, **kwargs)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


# The controller (the only process without xdist) migrates one template database; every xdist
# worker clones it, which takes a fraction of a second where migrating took several. The names
# reach the workers through the environment, which they inherit when they are spawned.
_SERVER_ENV, _TEMPLATE_ENV = "LAPOR_TEST_SERVER_URL", "LAPOR_TEST_TEMPLATE"
_embedded: object | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _embedded
    if hasattr(config, "workerinput"):
        return
    server_url, _embedded = _start_server()
    template = f"lapor_tpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{template}"'))
    migrate.upgrade(_with_database(server_url, template))
    os.environ[_SERVER_ENV], os.environ[_TEMPLATE_ENV] = server_url, template


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or _TEMPLATE_ENV not in os.environ:
        return
    server_url, template = os.environ.pop(_SERVER_ENV), os.environ.pop(_TEMPLATE_ENV)
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    if _embedded is not None:
        _embedded.cleanup()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def server_url() -> str:
    """The PostgreSQL server of this run, for tests that make databases of their own."""
    return os.environ[_SERVER_ENV]


@pytest.fixture
def scratch_url(server_url: str) -> Iterator[str]:
    """An empty database of this test's own, for migrating step by step; dropped after."""
    name = f"lapor_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    yield _with_database(server_url, name)
    asyncio.run(_admin(server_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """This worker's own database, a clone of the migrated template."""
    server_url, template = os.environ[_SERVER_ENV], os.environ[_TEMPLATE_ENV]
    name = f"lapor_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _with_database(server_url, name)
    asyncio.run(_admin(server_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Rate limits off here: tests of the limiter build an app with their own tight settings.
    return Settings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        rate_limit_caller_per_second=0,
        rate_limit_address_per_second=0,
        rate_limit_form_per_minute=0,
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=4, max_overflow=8)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


APPEND_ONLY = {"identity_access_log"}
TABLES_TO_KEEP = {"alembic_version"}


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table after a test that touched the database."""
    yield
    if "engine" not in request.fixturenames:
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    # DELETE, children first: on tables this small it is several times faster than TRUNCATE,
    # which rewrites every table's files (it was the slowest part of most tests).
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in APPEND_ONLY:
                # Its trigger refuses DELETE by design; TRUNCATE is the test's way out.
                await conn.execute(text(f"TRUNCATE {table.name}"))
            elif table.name not in TABLES_TO_KEEP:
                await conn.execute(table.delete())
    jurisdictions._cache.clear()


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock for a test about time passing: it stands still until the test moves it.

    A test that asks for it gets an app on it (and passes it to any worker it builds), so the
    test makes a deadline pass by moving the clock, never by rewriting columns. It starts at the
    real time; other tests run on the system clock.
    """
    return ManualClock()


def clock_of(request: pytest.FixtureRequest) -> ManualClock | None:
    """The test's ManualClock if it asked for one, for fixtures that build an app."""
    if "clock" not in request.fixturenames:
        return None
    clock: ManualClock = request.getfixturevalue("clock")
    return clock


@pytest.fixture
async def app(
    settings: Settings, engine: AsyncEngine, request: pytest.FixtureRequest
) -> AsyncIterator[object]:
    application = create_app(settings, clock=clock_of(request))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
        yield c


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    """Kabupaten Ngawi with agencies, one caller per role, and a second jurisdiction."""
    async with sessions() as session, session.begin():
        return await make_world(session, settings)
