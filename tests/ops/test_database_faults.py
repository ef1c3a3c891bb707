"""A database that cannot be reached answers 503 `database_unavailable` with Retry-After, never
500, and the app recovers by itself when the database is back. The outage is real: the app
talks to PostgreSQL through a TCP relay on 127.0.0.1 that the test cuts and restores, or points
at a closed port or at a server that says it is starting up, or has its backends terminated
from another connection."""

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kernel.config import Settings
from app.kernel.db import DatabaseUnreachable, make_engine, make_sessionmaker
from app.kernel.db_faults import RETRY_AFTER_SECONDS, LoopBackoff, is_database_fault
from app.main import create_app
from app.outbox.engine import Engine, Message, Topic
from app.outbox.models import OutboxMessage
from tests.complaints.support import BASE as COMPLAINT
from tests.factories import World

URL = "/v1/complaints"


class Relay:
    """Forwards TCP to PostgreSQL; `cut()` drops every connection and refuses new ones.

    The target is a host and port, or the Unix socket of the embedded server `make test` starts
    without TEST_DATABASE_URL, so these tests run there too.
    """

    def __init__(self, target_host: str, target_port: int | None) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for w in list(self._writers):
            w.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = self.target
        if port is None:
            up_reader, up_writer = await asyncio.open_unix_connection(host)
        else:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        self._writers |= {writer, up_writer}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _via(database_url: str, port: int) -> str:
    parts = urlsplit(database_url)
    user = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{port}", query=""))


@contextlib.asynccontextmanager
async def _client_for(settings: Settings, url: str) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings.model_copy(update={"database_url": url}))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    body: dict[str, Any] = response.json()
    assert body["error"]["code"] == "database_unavailable"
    assert body["error"]["message"]
    assert body["error"]["details"] == []


@pytest.fixture
async def relay(database_url: str) -> AsyncIterator[Relay]:
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    if "host" in query:  # the embedded server: a socket directory
        r = Relay(str(Path(query["host"][0]) / f".s.PGSQL.{parts.port or 5432}"), None)
    else:
        assert parts.hostname is not None
        r = Relay(parts.hostname, parts.port or 5432)
    await r.start()
    yield r
    with contextlib.suppress(AssertionError):
        await r.cut()


def _complaint() -> dict[str, Any]:
    return COMPLAINT


async def test_closed_port_answers_503_on_every_kind_of_route(
    settings: Settings, world: World
) -> None:
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/lapor"  # nothing listens there
    async with _client_for(settings, url) as client:
        _assert_unavailable(await client.get("/readyz"))
        _assert_unavailable(await client.get("/v1/track/LPR-ABCDE-FGHJK"))
        _assert_unavailable(
            await client.post(URL, json=_complaint(), headers=world.h("citizen_app"))
        )
        assert (await client.get("/healthz")).status_code == 200  # the process itself is up


async def test_outage_answers_503_then_recovers_without_a_restart(
    settings: Settings, world: World, database_url: str, relay: Relay
) -> None:
    async with _client_for(settings, _via(database_url, relay.port)) as client:
        headers = world.h("citizen_app")
        first = await client.post(URL, json=_complaint(), headers=headers)
        assert first.status_code == 201, first.text
        await relay.cut()  # pooled connections die, new ones are refused
        for _ in range(3):
            _assert_unavailable(await client.post(URL, json=_complaint(), headers=headers))
        _assert_unavailable(await client.get(f"{URL}/{first.json()['id']}", headers=headers))
        _assert_unavailable(await client.get("/readyz"))
        await relay.start()  # the database is back
        assert (await client.get("/readyz")).status_code == 200
        again = await client.post(URL, json=_complaint(), headers=headers)
        assert again.status_code == 201, again.text


async def test_terminated_backends_are_replaced_not_answered_500(
    settings: Settings, world: World, database_url: str, engine: AsyncEngine
) -> None:
    async with _client_for(settings, database_url) as client:
        headers = world.h("citizen_app")
        assert (await client.post(URL, json=_complaint(), headers=headers)).status_code == 201
        async with engine.connect() as conn:
            killed = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert (killed or 0) > 0
        # The pool's connections are dead; pre-ping finds that at checkout and reconnects.
        for _ in range(3):
            response = await client.post(URL, json=_complaint(), headers=headers)
            assert response.status_code == 201, response.text


async def test_terminated_backends_do_not_fail_a_detail_read(
    settings: Settings, world: World, database_url: str, engine: AsyncEngine
) -> None:
    # The detail's statement borrows a connection without the checkout's ping (it only reads);
    # a connection found dead is read again on a pinged one.
    async with _client_for(settings, database_url) as client:
        headers = world.h("citizen_app")
        created = await client.post(URL, json=_complaint(), headers=headers)
        detail = f"{URL}/{created.json()['id']}"
        assert (await client.get(detail, headers=headers)).status_code == 200
        async with engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        for _ in range(3):
            response = await client.get(detail, headers=headers)
            assert response.status_code == 200, response.text


def test_only_database_faults_are_recognised() -> None:
    assert is_database_fault(DatabaseUnreachable("refused"))
    assert not is_database_fault(FileNotFoundError(2, "an attachment's blob is gone"))
    assert not is_database_fault(ValueError("a bug"))
    assert is_database_fault(sa_exc.TimeoutError("QueuePool limit of size 8 reached"))
    assert not is_database_fault(sa_exc.IntegrityError("INSERT", {}, ValueError("duplicate key")))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = asyncpg.exceptions.CannotConnectNowError(
        "the database system is starting up"
    )
    assert is_database_fault(wrapped)


async def test_worker_outlives_an_outage_and_handles_what_waited(
    settings: Settings,
    world: World,
    database_url: str,
    relay: Relay,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    handled: list[uuid.UUID] = []

    async def probe(_: AsyncSession, row: Message) -> None:
        handled.append(row.id)

    fast = settings.model_copy(update={"worker_poll_seconds": 0.02})
    engine = make_engine(_via(database_url, relay.port), pool_size=2)
    worker = Engine(
        make_sessionmaker(engine),
        [Topic("probe", handle=probe)],
        poll_seconds=fast.worker_poll_seconds,
    )
    await relay.cut()
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run_forever(stop))
    try:
        async with sessions() as session, session.begin():
            session.add(OutboxMessage(jurisdiction_id=world.jurisdiction_id, topic="probe"))
        await asyncio.sleep(0.3)  # several failed polls: the loop must still be running
        assert not loop.done()
        await relay.start()
        for _ in range(500):  # the database is back: the waiting row gets handled
            if handled:
                break
            await asyncio.sleep(0.02)
        assert len(handled) == 1
    finally:
        stop.set()
        await loop
        await engine.dispose()


def test_a_failing_loop_waits_longer_each_time_up_to_the_cap_then_polls_again() -> None:
    backoff = LoopBackoff(poll=1.0, cap=30.0)
    waits = []
    for _ in range(7):
        try:
            raise DatabaseUnreachable("refused")
        except DatabaseUnreachable as exc:
            backoff.failed("poll failed", exc)
        waits.append(backoff.wait)
    assert waits == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    backoff.succeeded()
    assert backoff.wait == 1.0


async def _starting_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer like PostgreSQL during recovery: refuse the startup with SQLSTATE 57P03."""
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while True:
            length = int.from_bytes(await reader.readexactly(4), "big")
            code = int.from_bytes(await reader.readexactly(4), "big")
            await reader.readexactly(length - 8)
            if code == 80877103:  # SSLRequest: no TLS here
                writer.write(b"N")
                await writer.drain()
                continue
            fields = b"".join(
                kind + value.encode() + b"\0"
                for kind, value in (
                    (b"S", "FATAL"),
                    (b"V", "FATAL"),
                    (b"C", "57P03"),
                    (b"M", "the database system is starting up"),
                )
            )
            writer.write(b"E" + (len(fields) + 5).to_bytes(4, "big") + fields + b"\0")
            await writer.drain()
            break
    writer.close()


async def test_a_database_starting_up_answers_503(settings: Settings, world: World) -> None:
    server = await asyncio.start_server(_starting_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with _client_for(settings, f"postgresql://postgres@127.0.0.1:{port}/lapor") as c:
            _assert_unavailable(
                await c.post(URL, json=_complaint(), headers=world.h("citizen_app"))
            )
            _assert_unavailable(await c.get("/readyz"))
    finally:
        server.close()
        await server.wait_closed()
