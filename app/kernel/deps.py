"""Request-scoped dependencies every domain's routes share: the transaction and the time."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


@asynccontextmanager
async def session_scope(
    request: Request, *, autocommit: bool = False
) -> AsyncIterator[AsyncSession]:
    """The request's session, committed when the block ends. With `autocommit`, on connections
    in autocommit: SQLAlchemy sends no BEGIN and no COMMIT (two round trips) and each statement
    is a transaction of its own, for work that is one statement or a few that stand alone."""
    if not autocommit:
        async with request.app.state.sessions() as session, session.begin():
            yield session
        return
    # Nothing to begin; committed (the ORM's pending objects flushed) and closed only if it
    # was used: opening, beginning and closing a session that a read never touches cost 85 µs,
    # a tenth of a detail read (bench/RESULTS_reads.md).
    session = request.app.state.read_sessions()
    try:
        yield session
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await session.commit()
    finally:
        if session.in_transaction():  # an error left it holding a connection
            await session.close()


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    # One transaction per request; scope="function" below makes it commit before the response
    # is sent, so a client never sees a 201 for something that then failed to commit.
    async with session_scope(request) as session:
        yield session


async def _now(request: Request) -> datetime:
    # async, though it awaits nothing: FastAPI would run a plain def in a thread pool.
    # FastAPI caches a dependency per request, so every `Now` of one request is the same
    # instant: the event, the deadline and the response agree to the microsecond.
    now: datetime = request.app.state.clock.now()
    return now


DB = Annotated[AsyncSession, Depends(_transaction, scope="function")]
Now = Annotated[datetime, Depends(_now)]
