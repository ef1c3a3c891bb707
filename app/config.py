"""Settings, read once from the environment (prefix LAPOR_, plus DATABASE_URL)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
# 32 zero bytes, base64: fine for a laptop, refused in production.
DEFAULT_IDENTITY_KEY = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
DEFAULT_INDEX_KEY = "dev-only-blind-index-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="ignore")

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
    # "kid:base64key,kid:base64key": the first encrypts, all decrypt (rotation).
    identity_keys: SecretStr = SecretStr(DEFAULT_IDENTITY_KEY)
    identity_index_key: SecretStr = SecretStr(DEFAULT_INDEX_KEY)

    max_body_bytes: int = 1_048_576
    cors_origins: list[str] = []

    worker_poll_seconds: float = 1.0
    worker_batch_size: int = 50
    worker_lease_seconds: int = 60
    overdue_repeat_hours: int = 24

    log_level: str = "INFO"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests build their own Settings and pass them in."""
    return Settings()
