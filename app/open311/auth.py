"""Who calls Open311: the spec sends `api_key` as a query or form field, not as a header.

The key is checked by the same authenticator as a bearer API key (app/accounts/keys.py), then
the caller goes through the same role check and visibility rules as on /v1.
"""

from fastapi import Request

from app.kernel.errors import RateLimited, Unauthorized
from app.kernel.ratelimit import TOO_MANY, RateLimiter, retry_after
from app.kernel.security import API_KEY_PREFIX, Allow, Principal, authenticate


async def _api_key(request: Request) -> str | None:
    key = request.query_params.get("api_key")
    if key is None and request.method == "POST":
        value = (await request.form()).get("api_key")
        key = value if isinstance(value, str) else None
    return key


async def _caller(request: Request) -> Principal | None:
    """The caller named by `api_key` or an Authorization header; None when neither is sent."""
    key = await _api_key(request)
    if key is not None:
        # The Door limited the address and any Authorization header; a key sent as a field
        # is limited here, in the same per-caller buckets as that key sent as a bearer.
        limiter: RateLimiter = request.app.state.rate_limit
        wait = await limiter.caller_wait(f"Bearer {key}".encode())
        if wait:
            raise RateLimited(TOO_MANY, headers=retry_after(wait))
        if not key.startswith(API_KEY_PREFIX):
            raise Unauthorized("The api_key is invalid.", code="invalid_api_key")
        principal: Principal = await request.app.state.api_keys.authenticate(key)
        request.state.principal = principal  # what authenticate() hands every later check
    elif "authorization" not in request.headers:
        return None
    return await authenticate(request)


class ApiKey(Allow):
    """Route permission: an Open311 `api_key` (or a bearer credential) of one of `roles`."""

    async def __call__(self, request: Request) -> Principal:
        if await _caller(request) is None:
            raise Unauthorized("Send your API key as api_key.", code="missing_credentials")
        return await super().__call__(request)


class OptionalKey:
    """A caller of one of `roles` when credentials are sent, else None (the public)."""

    def __init__(self, *roles: str) -> None:
        self.allow = Allow(*roles)

    async def __call__(self, request: Request) -> Principal | None:
        if await _caller(request) is None:
            return None
        return await self.allow(request)
