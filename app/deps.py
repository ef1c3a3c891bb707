"""Request-scoped dependencies: the transaction, the jurisdiction context, the sealer."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.privacy.crypto import Sealer


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    # One transaction per request; scope="function" below makes it commit before the response
    # is sent, so a client never sees a 201 for something that then failed to commit.
    async with request.app.state.sessions() as session, session.begin():
        yield session


DB = Annotated[AsyncSession, Depends(_transaction, scope="function")]


async def _sealer(request: Request) -> Sealer:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    # per request on the intake's hot path.
    sealer: Sealer = request.app.state.sealer
    return sealer


# Named for what routes use it for; it seals every secret kind (app/privacy/crypto.py).
Cipher = Annotated[Sealer, Depends(_sealer)]
