"""Security headers on every answer, and the refusal to run production on development secrets."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import (
    DEFAULT_IDENTITY_KEY,
    DEFAULT_INDEX_KEY,
    DEFAULT_JWT_SECRET,
    Settings,
)


class InsecureSettings(RuntimeError):
    """Production was asked to start with a development default or an unsafe value."""


def check_production(settings: Settings) -> None:
    """Raise InsecureSettings naming every unsafe setting when the environment is production."""
    if not settings.is_production:
        return
    problems = []
    defaults = {
        "LAPOR_JWT_SECRET": (settings.jwt_secret, DEFAULT_JWT_SECRET),
        "LAPOR_IDENTITY_KEYS": (settings.identity_keys, DEFAULT_IDENTITY_KEY),
        "LAPOR_IDENTITY_INDEX_KEY": (settings.identity_index_key, DEFAULT_INDEX_KEY),
    }
    for name, (value, default) in defaults.items():
        if default in value.get_secret_value():
            problems.append(f"{name} is the development default")
    if len(settings.jwt_secret.get_secret_value()) < 32:
        problems.append("LAPOR_JWT_SECRET is shorter than 32 characters")
    if problems:
        raise InsecureSettings(
            "Refusing to start with LAPOR_ENVIRONMENT=production: "
            + "; ".join(problems)
            + ". Set real secrets in the environment (see README, 'Roles and access')."
        )


def check_cors(origins: list[str]) -> list[str]:
    """Exact origins only: a wildcard would let any site call the API with a user's token."""
    for origin in origins:
        if "*" in origin or not origin.startswith(("https://", "http://")) or origin.endswith("/"):
            raise InsecureSettings(
                f"LAPOR_CORS_ORIGINS entry {origin!r} is not an exact origin like "
                "'https://lapor.example.go.id'"
            )
    return origins


class SecurityHeaders:
    """nosniff, no framing, no referrer; HSTS in production; no-store for authenticated answers."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authenticated = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if self.production:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
                    )
                if authenticated:
                    # Answers to a credentialed request may carry personal data: never cache.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
