"""Alembic environment: async engine, the app's metadata, URL handed in by app.migrate."""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.kernel.db import async_url
from app.models import Base

config = context.config
target_metadata = Base.metadata


# Alembic cannot compare functional indexes (it reads the expression back reformatted), so
# these are created by their migration and left out of the models-vs-database check.
EXPRESSION_INDEXES = {"ix_complaints_search"}


def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_server_default=False,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = async_url(config.get_main_option("sqlalchemy.url") or "")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())
