"""Declarative base with a naming convention, the engine/session factories, and the hot path's
statements sent straight to asyncpg."""

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import asyncpg
from sqlalchemy import ClauseElement, ForeignKeyConstraint, MetaData, event
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util.concurrency import await_, greenlet_spawn

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DatabaseUnreachable(ConnectionError):
    """Opening a connection failed: refused, no such socket, unknown host, timed out."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def tenant_foreign_key(
    column: str, table: str, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """`column` points at `table`'s row in the same jurisdiction: (column, jurisdiction_id) to
    (id, jurisdiction_id), the only foreign key Citus keeps between distributed tables."""
    return ForeignKeyConstraint(
        [column, "jurisdiction_id"], [f"{table}.id", f"{table}.jurisdiction_id"], ondelete=ondelete
    )


def identified_by(*columns: str) -> dict[str, Any]:
    """`__mapper_args__` of a table whose primary key also carries `jurisdiction_id`, as Citus
    needs (app/tenancy.py): the ORM still knows a row by `columns` alone (`session.get(X, id)`)."""
    return {"primary_key": list(columns)}


def async_url(url: str) -> str:
    """Accept plain postgresql:// URLs (pgserver, libpq style) and pick the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL")


def make_engine(url: str, pool_size: int = 8, max_overflow: int = 0) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        # A connection the database closed while it sat in the pool (a restart, a failover,
        # pg_terminate_backend) is found and replaced at checkout instead of failing a request
        # (a read's borrowed connection is tested by the read itself instead: `_ping`).
        pool_pre_ping=True,
        # asyncpg waits 60 s for a connection by default; a request should not.
        connect_args={"timeout": 10, "server_settings": {"application_name": "lapor-desk"}},
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
    engine.sync_engine.dialect.do_ping = _ping  # type: ignore[method-assign]
    return engine


# Set while a driver statement that only reads checks out a connection for itself
# (`DriverStatement`, `reads_only`).
_TRIES_INSTEAD_OF_PING: ContextVar[bool] = ContextVar("tries_instead_of_ping", default=False)


def _ping(dbapi_connection: Any) -> bool:
    # The pre-ping in one round trip. SQLAlchemy's asyncpg ping wraps its ";" in BEGIN and
    # ROLLBACK, for pgbouncer in transaction mode (which this service is not run behind): three
    # socket writes at every checkout, a quarter of an intake's CPU (bench/RESULTS.md). A dead
    # connection fails the ";" alone just the same, translated as SQLAlchemy's own ping does,
    # so the pool still replaces it.
    driver: asyncpg.Connection = dbapi_connection.driver_connection
    if _TRIES_INSTEAD_OF_PING.get() and not driver.is_closed():
        # Not pinged: the read itself is the test, sent again on a pinged connection if
        # this one is dead (`DriverStatement._borrowing`). The ping's write and read were a
        # tenth of a hot path's CPU (bench/RESULTS.md).
        return True
    try:
        await_(driver.fetchrow(";"))
    except Exception as error:
        dbapi_connection._handle_exception(error)
    return True


def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    # asyncpg's connect raises bare OSErrors (ConnectionRefusedError, FileNotFoundError for a
    # missing socket, TimeoutError), which say nothing of where they came from; named here so
    # app/kernel/db_faults.py can tell them from a file or network error elsewhere.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:
        raise DatabaseUnreachable(f"cannot connect to the database: {exc}") from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# Session.info keys of an autocommit session: the engine its driver statements may borrow a
# connection from, and whether the session itself holds one yet.
_BORROW_FROM = "borrow_from"
_HOLDS_CONNECTION = "holds_connection"


class _AutocommitSession(Session):
    """The ORM side of an autocommit session (`make_read_sessionmaker`)."""


@event.listens_for(_AutocommitSession, "after_begin")
def _holds_connection(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_HOLDS_CONNECTION] = True


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose statements each commit on their own: no BEGIN, no COMMIT, two of the
    four round trips of a detail read or of a one-statement intake; see `session_scope` in
    app/kernel/deps.py. Same pool, same connections. A `DriverStatement` in one borrows a
    pooled connection for itself while the session holds none."""
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(
        autocommit,
        expire_on_commit=False,
        sync_session_class=_AutocommitSession,
        info={_BORROW_FROM: engine},
    )


# How a connection that died in the pool fails a statement: asyncpg refuses to send (the
# server's FATAL is read, its end of the socket not yet), finds it closed, or reads the FATAL
# (57P01 terminated, 57P02/57P03 shutting down) as the answer.
_CONNECTION_LOST = (
    asyncpg.InternalClientError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


class DriverStatement:
    """A constant statement run on the session's own connection and transaction by asyncpg
    itself, for the few statements every request of a hot path sends (the intake's, the
    detail read's).

    Compiled to asyncpg's `$n` form once, at import: a call binds its values by name and skips
    SQLAlchemy's per-execution compiling, parameter processing, result wrapping and greenlet
    hop, which were a quarter of an intake's CPU (bench/RESULTS.md). Values go to asyncpg as
    they are (uuid.UUID, aware datetimes, str for jsonb), as SQLAlchemy's text() passes them;
    asyncpg's errors are the database faults app/kernel/db_faults.py already knows.
    """

    def __init__(self, clause: ClauseElement, *, reads_only: bool = False) -> None:
        compiled = clause.compile(dialect=PGDialect_asyncpg())  # type: ignore[no-untyped-call]
        assert isinstance(compiled, SQLCompiler)  # a statement, which DDL is not
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        # A statement that only reads may be sent again, so on a borrowed connection it skips
        # the checkout's ping and is tried once more if that connection turns out dead. One
        # that writes is never sent twice: a connection lost after the statement went out
        # may have committed it (a second intake would be a second complaint).
        self.reads_only = reads_only

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        args = [params[name] for name in self.names]
        engine: AsyncEngine | None = session.info.get(_BORROW_FROM)
        if engine is not None and not session.info.get(_HOLDS_CONNECTION):
            # An autocommit session with no connection yet: each of its statements stands
            # alone, so this one takes a pooled connection for itself and gives it back,
            # without the session's connection, transaction and commit bookkeeping (450 µs
            # against 150 for a statement's connection, bench/RESULTS_reads.md). One
            # connection at a time: once the session holds one, its statements run on it.
            return await self._borrowing(engine, args)
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        return await self._run(raw.driver_connection, args)

    async def _borrowing(self, engine: AsyncEngine, args: list[Any]) -> list[asyncpg.Record]:
        # A read first on an unpinged connection, then on a pinged one; a write once, pinged.
        for unpinged in (True, False) if self.reads_only else (False,):
            token = _TRIES_INSTEAD_OF_PING.set(unpinged)
            try:
                pooled = await engine.raw_connection()
            finally:
                _TRIES_INSTEAD_OF_PING.reset(token)
            try:
                return await self._run(pooled.driver_connection, args)
            except _CONNECTION_LOST:
                # The server ended this connection in the pool (a restart, a failover,
                # pg_terminate_backend) after its last use, which is what the ping would
                # have found: the read is sent again, on a connection the pool pings.
                if not unpinged:
                    raise
                await greenlet_spawn(pooled.invalidate)
            finally:
                await greenlet_spawn(pooled.close)  # closing may await, in the greenlet
        raise AssertionError("unreachable: the last try returns or raises")

    async def _run(self, driver: asyncpg.Connection, args: list[Any]) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await driver.fetch(self.sql, *args)
        return rows
