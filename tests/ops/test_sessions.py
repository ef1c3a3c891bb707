"""A request's database work (app/kernel/db.py, app/kernel/deps.py).

A `DriverStatement` runs where the session's work is: in its transaction when it has one, on a
connection of its own only in an autocommit session that holds none, and then never beside one
the session holds (a request with two connections at once could wait on itself for the pool).
An autocommit scope commits what it was given and gives back what it holds, used or not."""

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi import Request
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.db import DriverStatement, make_engine, make_read_sessionmaker, make_sessionmaker
from app.kernel.deps import session_scope
from app.outbox.models import OutboxMessage
from tests.factories import World

PID = DriverStatement(text("SELECT pg_backend_pid() AS pid"), reads_only=True)
APPLICATION = DriverStatement(text("SELECT current_setting('application_name') AS name"))


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def test_an_autocommit_session_borrows_a_connection_only_while_it_holds_none(
    one_connection: AsyncEngine,
) -> None:
    pool = one_connection.sync_engine.pool
    async with make_read_sessionmaker(one_connection)() as session, session.begin():
        borrowed = (await PID.fetch(session, {}))[0]["pid"]
        assert pool.checkedout() == 0  # given back at once: the session holds none
        held = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert pool.checkedout() == 1
        # A pool of one: a second checkout would wait; on the session's connection it does not.
        again = (await asyncio.wait_for(PID.fetch(session, {}), timeout=5))[0]["pid"]
    assert borrowed == held == again
    assert pool.checkedout() == 0


async def test_in_a_transaction_a_driver_statement_sees_the_transactions_own_work(
    one_connection: AsyncEngine,
) -> None:
    async with make_sessionmaker(one_connection)() as session, session.begin():
        await session.execute(text("SET LOCAL application_name = 'in-this-transaction'"))
        rows = await asyncio.wait_for(APPLICATION.fetch(session, {}), timeout=5)
    assert rows[0]["name"] == "in-this-transaction"


async def test_a_borrowed_connection_stopped_mid_statement_does_not_poison_the_pool(
    one_connection: AsyncEngine,
) -> None:
    sleep = DriverStatement(text("SELECT pg_sleep(5)"))
    async with make_read_sessionmaker(one_connection)() as session, session.begin():
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(sleep.fetch(session, {}), timeout=0.2)
    # The pool's one connection answers the next statement (the checkout's ping sees to it).
    async with make_read_sessionmaker(one_connection)() as session, session.begin():
        rows = await asyncio.wait_for(PID.fetch(session, {}), timeout=5)
    assert rows[0]["pid"] > 0


def _request(engine: AsyncEngine) -> Request:
    """What `session_scope` reads of a request: the app's two session factories."""
    state = SimpleNamespace(
        sessions=make_sessionmaker(engine), read_sessions=make_read_sessionmaker(engine)
    )
    return cast(Request, SimpleNamespace(app=SimpleNamespace(state=state)))


async def test_an_autocommit_scope_commits_what_was_only_added(
    one_connection: AsyncEngine, world: World
) -> None:
    async with session_scope(_request(one_connection), autocommit=True) as session:
        session.add(OutboxMessage(jurisdiction_id=world.jurisdiction_id, topic="scope-probe"))
    async with make_sessionmaker(one_connection)() as session:
        stored = await session.scalar(
            select(func.count()).where(OutboxMessage.topic == "scope-probe")
        )
    assert stored == 1


async def test_an_autocommit_scope_gives_its_connection_back_after_an_error(
    one_connection: AsyncEngine,
) -> None:
    pool = one_connection.sync_engine.pool
    with pytest.raises(DBAPIError):
        async with session_scope(_request(one_connection), autocommit=True) as session:
            await session.execute(text("SELECT 1 / 0"))
    assert pool.checkedout() == 0
    async with session_scope(_request(one_connection), autocommit=True) as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    assert pool.checkedout() == 0


async def test_a_borrowed_connection_the_server_ended_is_replaced_not_failed(
    one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    # A borrowed connection is not pinged, but one the loop already knows is closed is
    # replaced at checkout (the statement-refused retry: test_database_faults.py).
    read = make_read_sessionmaker(one_connection)
    async with read() as session:
        first = (await PID.fetch(session, {}))[0]["pid"]
    async with engine.connect() as other:
        ended = await other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    assert ended is True
    async with read() as session:
        again = (await asyncio.wait_for(PID.fetch(session, {}), timeout=5))[0]["pid"]
    assert again != first


async def test_only_a_statement_that_reads_skips_the_checkouts_ping(
    one_connection: AsyncEngine,
) -> None:
    sent: list[str] = []

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda q: sent.append(q.query))

    event.listen(one_connection.sync_engine.pool, "connect", log_queries)
    writes = DriverStatement(text("SELECT 2 AS two"))  # not reads_only: as if it wrote
    read = make_read_sessionmaker(one_connection)
    for statement in (PID, PID, writes, PID):
        async with read() as session:
            await statement.fetch(session, {})
    # The pool's one connection, checked out four times: pinged (";") only for the statement
    # that is never sent twice.
    assert sent == [PID.sql, PID.sql, ";", writes.sql, PID.sql]
