"""POST /v1/auth/token: the OAuth2 password flow for people."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel

from app.accounts import service
from app.kernel.deps import Now
from app.kernel.errors import Invalid, RateLimited, Unauthorized, responses
from app.kernel.security import Public

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


@router.post(
    "/token",
    response_model=TokenOut,
    dependencies=[Depends(Public())],
    responses=responses(Unauthorized, Invalid, RateLimited),
)
async def token(
    request: Request,
    now: Now,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    grant_type: Annotated[str, Form(pattern="^password$", max_length=8)] = "password",
) -> TokenOut:
    """Exchange a username and password for a short-lived access token."""
    settings = request.app.state.settings
    # Its own transaction: a failed attempt must be counted even though the answer is an error.
    async with request.app.state.sessions() as session, session.begin():
        user = await service.login(session, username, password, now)
    if user is None:
        await asyncio.sleep(service.FAILURE_DELAY_SECONDS)
        raise Unauthorized("Wrong username or password.", code="invalid_credentials")
    access, ttl = service.issue_token(settings, user)
    return TokenOut(access_token=access, expires_in=ttl)
