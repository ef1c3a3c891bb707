"""Request-scoped dependencies every domain's routes share: the transaction."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    # One transaction per request; scope="function" below makes it commit before the response
    # is sent, so a client never sees a 201 for something that then failed to commit.
    async with request.app.state.sessions() as session, session.begin():
        yield session


DB = Annotated[AsyncSession, Depends(_transaction, scope="function")]
