"""Settings, read once from the environment (prefix LAPOR_, plus DATABASE_URL)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.kernel.ratelimit import storage_problem

DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
# 32 zero bytes, base64: fine for a laptop, refused in production.
DEFAULT_IDENTITY_KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
DEFAULT_INDEX_KEY = "dev-only-blind-index-key"
# Public in this repository: in production it would sign callbacks that any reader could forge.
DEFAULT_CALLBACK_KEYS = "k1:dev-only-callback-key"


class Settings(BaseSettings):
    # A refused value is never echoed back: settings carry secrets and URIs with passwords.
    # An empty variable is an unset one, as `VAR=` in a compose or systemd file means: a port
    # or a number given as "" stopped the service at start. (Production's refusals of default
    # secrets still apply: an empty secret is the default one.)
    model_config = SettingsConfigDict(
        env_prefix="LAPOR_", extra="ignore", hide_input_in_errors=True, env_ignore_empty=True
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    db_pool_size: int = 8
    # No overflow: under steady load SQLAlchemy closes an overflow connection as soon as it is
    # returned and opens a new one a moment later (50 connects per 1,000 intakes, measured in
    # bench/), each a new backend and new prepared statements.
    db_max_overflow: int = 0
    public_base_url: str = "http://127.0.0.1:8000"

    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_issuer: str = "lapor-desk"
    jwt_audience: str = "lapor-desk-api"
    jwt_ttl_seconds: int = 900
    # Console sessions (/konsol/): ended after this long unused, and this long after login.
    console_idle_minutes: int = 30
    console_lifetime_hours: int = 12
    # "kid:base64key,kid:base64key": the first encrypts, all decrypt (rotation).
    identity_keys: SecretStr = SecretStr(DEFAULT_IDENTITY_KEY)
    identity_index_key: SecretStr = SecretStr(DEFAULT_INDEX_KEY)

    max_body_bytes: int = 1_048_576
    # Exact origins allowed to call from a browser ("https://lapor.example.go.id"); no wildcard.
    cors_origins: list[str] = []
    # Sustained requests per second and burst, per caller (credential) and per client address.
    # 0 turns a limit off.
    rate_limit_caller_per_second: float = 20.0
    rate_limit_caller_burst: int = 200
    rate_limit_address_per_second: float = 50.0
    rate_limit_address_burst: int = 500
    # A Redis every replica counts in (redis://host:6379/0); unset: each process counts alone.
    rate_limit_storage: str | None = None
    # A Redis slower than this counts as down: the request is limited per process instead.
    rate_limit_storage_timeout_seconds: float = Field(default=0.25, gt=0)
    rate_limit_form_per_minute: float = 2.0  # web form posts per client address (0: off)
    rate_limit_form_burst: int = 20

    # Reporter identities are erased this many days after a complaint is closed or archived.
    identity_retention_days: int = Field(default=730, ge=1)
    retention_sweep_seconds: float = 3600.0
    # How often the worker looks for jurisdictions with enough new history to retrain routing.
    routing_retrain_seconds: float = Field(default=86_400.0, ge=0)

    worker_poll_seconds: float = 1.0
    worker_batch_size: int = 50
    worker_lease_seconds: int = 60
    # Done outbox rows are deleted this many days after they were done (at least twice the
    # longest period of a periodic job, see app/outbox/tasks.py), checked this often.
    outbox_done_retention_days: int = Field(default=7, ge=1)
    outbox_prune_seconds: float = 3600.0
    overdue_repeat_hours: int = 24

    # E-mail to liaisons, supervisors and admins goes out through the outbox; no host, no e-mail
    # sender (the rows wait in the outbox until one is configured).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "lapor@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0

    # Callbacks (app/webhooks): see README "Status callbacks".
    webhook_allow_loopback: bool = False  # development and tests only; never in production
    webhook_timeout_seconds: float = 10.0
    webhook_lease_seconds: int = 60  # must exceed the timeout: a live send keeps its lease
    webhook_max_concurrency: int = 20
    webhook_batch_size: int = 100
    webhook_disable_after_days: int = 5  # no success for this long: the endpoint is disabled
    webhook_excerpt_bytes: int = 1000
    # "kid:secret,kid:secret": derives each client's signing secret for complaint callback_urls;
    # every key signs, so a new key can be put first while the old one still verifies.
    webhook_callback_keys: SecretStr = SecretStr(DEFAULT_CALLBACK_KEYS)

    # The national SP4N-LAPOR! hub (app/hub); sync is off without a base URL.
    hub_base_url: str | None = None
    hub_token: SecretStr = SecretStr("")
    hub_jurisdiction: str = "35.21"  # our Kemendagri code, as the hub knows us
    web_jurisdiction: str = "35.21"  # whose form /lapor opens (/lapor/<code> names another)
    hub_sync_seconds: float = 60.0  # how often to pull new dispositions
    hub_reconcile_seconds: float = 900.0  # how often to compare both sides and repair drift
    hub_forward_local: bool = True  # send complaints taken in here to the hub as well
    hub_simulator_port: int | None = None  # `make run` starts the simulator on this port

    log_level: str = "INFO"

    # /metrics (app/metrics): with a token, scrapers send `Authorization: Bearer <token>` from
    # anywhere; without one, only loopback and private addresses may scrape, and production
    # refuses every scrape until a token is set.
    metrics_token: SecretStr | None = None
    metrics_snapshot_seconds: float = 30.0  # how often a worker recounts the outbox and complaints

    # Channels: SMS parts without a concatenation header are joined by sender within this window.
    sms_join_window_seconds: float = 20.0
    # Outgoing SMS (tracking ids, status changes): POST {"to", "text", "ref"} here; unset = none.
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    meta_graph_url: str = "https://graph.facebook.com/v21.0"
    x_api_url: str = "https://api.x.com"
    # A new complaint like an earlier one from the same reporter within this window is linked.
    duplicate_window_days: int = 30
    duplicate_min_similarity: float = 0.5

    attachments_dir: str = "var/attachments"
    max_attachment_bytes: int = 10_485_760

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage_uri(cls, uri: str | None) -> str | None:
        problem = storage_problem(uri) if uri else None
        if problem:
            raise ValueError(problem)
        return uri or None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests build their own Settings and pass them in."""
    return Settings()
