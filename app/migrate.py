"""Run Alembic from code, so no alembic.ini is needed and the URL comes from settings."""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

# Beside the package in a checkout; an installed image says where it put them.
MIGRATIONS = Path(
    os.environ.get("LAPOR_MIGRATIONS_DIR", Path(__file__).resolve().parent.parent / "migrations")
)


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Runs its own event loop: call from sync code only."""
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise when the models and the migrations disagree."""
    command.check(alembic_config(database_url))
