"""A `DriverStatement` runs where the session's work is: in its transaction when it has one, on a
connection of its own only in an autocommit session that holds none, and then never beside one
the session holds (a request with two connections at once could wait on itself for the pool)."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.db import DriverStatement, make_engine, make_read_sessionmaker, make_sessionmaker

PID = DriverStatement(text("SELECT pg_backend_pid() AS pid"))
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
