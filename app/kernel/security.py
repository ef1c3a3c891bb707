"""Who is calling: API keys and JWTs become a Principal; each route declares who may call it.

Every route depends on exactly one of `Allow(...)` or `Public()`; a test walks `app.routes`
and fails on a route with neither, so no endpoint is born without its permission.
"""

import hmac
import ipaddress
import uuid
from dataclasses import dataclass

import jwt
from fastapi import Request

from app.kernel.errors import Forbidden, Unauthorized

API_KEY_PREFIX = "lpk_"

ADMIN = "admin"
SUPERVISOR = "supervisor"
LIAISON = "liaison"
OPERATOR = "operator"
CITIZEN_APP = "citizen_app"
HUB = "hub"
CHANNEL_GATEWAY = "channel_gateway"
AGENCY_SYSTEM = "agency_system"
# The Pemda's Ombudsman narahubung (Bagian Organisasi in Klaten's agreement): manages the
# Ombudsman's cases (app/ombudsman) and nothing of the complaints beyond what staff read.
OMBUDSMAN_LIAISON = "ombudsman_liaison"

STAFF = (ADMIN, SUPERVISOR, LIAISON, OPERATOR, OMBUDSMAN_LIAISON)

# The staff console (app/console): its session cookie is read under this path only, so a cookie
# never authenticates an API call (the API stays free of CSRF by taking bearer tokens alone).
CONSOLE_PATH = "/konsol"
SESSION_COOKIE = "konsol_sesi"
INTAKE = (OPERATOR, CITIZEN_APP, HUB, CHANNEL_GATEWAY, ADMIN)


@dataclass(frozen=True)
class Principal:
    id: uuid.UUID
    kind: str  # "user" or "client"
    role: str
    jurisdiction_id: uuid.UUID
    agency_id: uuid.UUID | None
    name: str

    @property
    def actor(self) -> dict[str, str]:
        """How this caller appears in an event: never a password, never a key."""
        return {"kind": self.kind, "id": str(self.id), "role": self.role, "name": self.name}


# How the worker's timers appear in an event (a complaint's or an Ombudsman case's), in the
# shape of Principal.actor.
SYSTEM_ACTOR: dict[str, str] = {"kind": "system", "id": "worker", "role": "system", "name": "timer"}


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Send credentials as 'Authorization: Bearer <token or API key>'.",
            code="missing_credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def decode_access_token(token: str, request: Request) -> Principal:
    settings = request.app.state.settings
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=["HS256"],  # pinned: "none" and key-confusion tricks are refused
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
        agency = claims.get("agency")
        return Principal(
            id=uuid.UUID(claims["sub"]),
            kind="user",
            role=str(claims["role"]),
            jurisdiction_id=uuid.UUID(claims["jur"]),
            agency_id=uuid.UUID(agency) if agency else None,
            name=str(claims.get("name", "")),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized(
            "The access token is invalid or expired.",
            code="invalid_token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc


async def authenticate(request: Request) -> Principal:
    """Resolve the caller once per request; cached on request.state."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    # The scope's path, as the door reads it: `request.url` would build a URL object per request.
    in_console = request.scope["path"].startswith(CONSOLE_PATH + "/")
    cookie = request.cookies.get(SESSION_COOKIE) if in_console else None
    if cookie and "authorization" not in request.headers:
        # app/accounts/sessions.py; the session's CSRF token is kept for the console's guard.
        active = await request.app.state.console_sessions.authenticate(cookie)
        request.state.principal, request.state.csrf_token = active.principal, active.csrf_token
        assert isinstance(active.principal, Principal)
        return active.principal
    token = _bearer(request)
    if token.startswith(API_KEY_PREFIX):
        principal = await request.app.state.api_keys.authenticate(token)
        assert isinstance(principal, Principal)
    else:
        principal = decode_access_token(token, request)
    request.state.principal = principal
    return principal


class Allow:
    """Route permission: the caller must be authenticated and hold one of `roles`."""

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, request: Request) -> Principal:
        principal = await authenticate(request)
        if principal.role not in self.roles:
            raise Forbidden(f"The role '{principal.role}' may not do this.", code="role_forbidden")
        return principal


class Public:
    """Route permission: anyone, no credentials (public tracking, health)."""

    roles: frozenset[str] = frozenset()

    async def __call__(self) -> None:
        return None


# Loopback and the RFC 1918 / RFC 4193 ranges a monitoring network uses; not `is_private`, which
# also admits documentation and benchmarking ranges.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
)


class Scraper:
    """Route permission: the metrics scraper (README "Metrics"). With LAPOR_METRICS_TOKEN set,
    that bearer token from any address; without it, loopback and private addresses only, and
    never in production, where an open /metrics would map the service for anyone."""

    roles: frozenset[str] = frozenset()

    async def __call__(self, request: Request) -> None:
        settings = request.app.state.settings
        if settings.metrics_token is not None:
            expected = settings.metrics_token.get_secret_value().encode()
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), expected
            ):
                raise Unauthorized(
                    "Send the metrics token as 'Authorization: Bearer <token>'.",
                    code="invalid_metrics_token",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return
        if settings.is_production:
            raise Forbidden(
                "Set LAPOR_METRICS_TOKEN to serve /metrics in production.",
                code="metrics_token_required",
            )
        host = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(host)
            # An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
        except ValueError:
            address = None
        if address is None or not any(address in net for net in PRIVATE_NETWORKS):
            raise Forbidden(
                "Without LAPOR_METRICS_TOKEN, /metrics answers loopback and private addresses.",
                code="metrics_address_forbidden",
            )
