"""The sealer as a request dependency: built once in the lifespan, shared by every request."""

from typing import Annotated

from fastapi import Depends, Request

from app.privacy.crypto import Sealer


async def _sealer(request: Request) -> Sealer:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    # per request on the intake's hot path.
    sealer: Sealer = request.app.state.sealer
    return sealer


# Named for what routes use it for; it seals every secret kind (app/privacy/crypto.py).
Cipher = Annotated[Sealer, Depends(_sealer)]
