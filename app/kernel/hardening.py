"""The security headers of every answer; the refusal to run production on development secrets."""

from urllib.parse import urlsplit

from app.kernel.config import (
    DEFAULT_CALLBACK_KEYS,
    DEFAULT_IDENTITY_KEY,
    DEFAULT_INDEX_KEY,
    DEFAULT_JWT_SECRET,
    Settings,
)

# HMAC keys shorter than this are guessable offline from one signed token or callback.
MIN_SECRET_CHARS = 32


class InsecureSettings(RuntimeError):
    """Production was asked to start with a development default or an unsafe value."""


def _keyed_secrets(spec: str) -> list[str]:
    """The secrets of a "kid:secret,kid:secret" setting."""
    return [item.strip().partition(":")[2] for item in spec.split(",") if item.strip()]


def production_problems(settings: Settings) -> list[str]:
    """Every unsafe setting for production, one phrase each naming the variable. Pure."""
    problems = []
    jwt_secret = settings.jwt_secret.get_secret_value()
    if jwt_secret == DEFAULT_JWT_SECRET:
        problems.append("LAPOR_JWT_SECRET is the development default")
    elif len(jwt_secret) < MIN_SECRET_CHARS:
        problems.append(f"LAPOR_JWT_SECRET is shorter than {MIN_SECRET_CHARS} characters")
    default_key = DEFAULT_IDENTITY_KEY.partition(":")[2]
    if default_key in _keyed_secrets(settings.identity_keys.get_secret_value()):
        problems.append("LAPOR_IDENTITY_KEYS holds the development default key")
    index_key = settings.identity_index_key.get_secret_value()
    if index_key == DEFAULT_INDEX_KEY:
        problems.append("LAPOR_IDENTITY_INDEX_KEY is the development default")
    elif len(index_key) < MIN_SECRET_CHARS:
        problems.append(f"LAPOR_IDENTITY_INDEX_KEY is shorter than {MIN_SECRET_CHARS} characters")
    callback_keys = _keyed_secrets(settings.webhook_callback_keys.get_secret_value())
    if set(callback_keys) & set(_keyed_secrets(DEFAULT_CALLBACK_KEYS)):
        problems.append("LAPOR_WEBHOOK_CALLBACK_KEYS holds the development default key")
    elif not callback_keys or any(len(k) < MIN_SECRET_CHARS for k in callback_keys):
        problems.append(
            f"LAPOR_WEBHOOK_CALLBACK_KEYS needs 'kid:secret' keys of {MIN_SECRET_CHARS}+ characters"
        )
    if not settings.database_url:
        problems.append("DATABASE_URL is not set (production never starts the embedded database)")
    if urlsplit(settings.public_base_url).hostname in ("127.0.0.1", "localhost", "::1"):
        problems.append("LAPOR_PUBLIC_BASE_URL points at this machine (tracking links would too)")
    if settings.webhook_allow_loopback:
        problems.append("LAPOR_WEBHOOK_ALLOW_LOOPBACK is on")
    if settings.hub_base_url and not settings.hub_token.get_secret_value():
        problems.append("LAPOR_HUB_TOKEN is empty while LAPOR_HUB_BASE_URL is set")
    return problems


def check_production(settings: Settings) -> None:
    """Raise InsecureSettings naming every unsafe setting when the environment is production."""
    if not settings.is_production:
        return
    problems = production_problems(settings)
    if problems:
        raise InsecureSettings(
            "Refusing to start with LAPOR_ENVIRONMENT=production: "
            + "; ".join(problems)
            + ". Set real secrets in the environment (see README, 'Configuration')."
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


# A page may load only this service's own files: no inline script or style, no other origin,
# forms post only here. An injected <script> or a form pointed elsewhere does nothing.
PAGE_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
API_CSP = b"frame-ancestors 'none'"


def content_security_policy(content_type: bytes) -> bytes:
    """The strict page policy for HTML, the framing rule alone for JSON and files."""
    return PAGE_CSP if content_type.lower().startswith(b"text/html") else API_CSP


def security_headers(production: bool) -> list[tuple[bytes, bytes]]:
    """nosniff, no framing, no referrer; HSTS in production. Added to every answer that does not
    set its own by app/kernel/middleware.py, which also adds content_security_policy() and makes
    credentialed answers no-store."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if production:
        headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
    return headers
