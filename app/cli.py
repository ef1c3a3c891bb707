"""The command line: `python -m app <command>`; `make run` is `python -m app dev`."""

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.embedded import database_url
from app.jurisdictions.models import Jurisdiction
from app.logging import configure as configure_logging
from app.outbox.worker import Worker, default_handlers

log = logging.getLogger("app.cli")


async def _in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _settings_with(url: str) -> Settings:
    return get_settings().model_copy(update={"database_url": url})


def tune_gc() -> None:
    """Keep the garbage collector off the request path of a long-running server.

    Freezing moves the ~150,000 objects of the imported framework out of the collector's sight,
    and a larger first threshold collects young objects less often. Measured under
    bench/intake.py's load at 256 connections: time in the collector fell from ~38% of the
    server's CPU to ~2% (bench/RESULTS.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


async def _serve(settings: Settings, host: str, port: int, with_worker: bool) -> None:
    from app.main import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=host, port=port, log_config=None)
    )
    tune_gc()
    stop = asyncio.Event()
    worker_task = None
    if with_worker:
        engine = make_engine(settings.database_url or "", pool_size=2, max_overflow=0)
        worker = Worker(make_sessionmaker(engine), settings, default_handlers(settings))
        worker_task = asyncio.create_task(worker.run_forever(stop))
    try:
        await server.serve()
    finally:
        stop.set()
        if worker_task is not None:
            await worker_task
            await engine.dispose()


async def _work(settings: Settings) -> None:
    engine = make_engine(settings.database_url or "", pool_size=2, max_overflow=0)
    worker = Worker(make_sessionmaker(engine), settings, default_handlers(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await worker.run_forever(stop)
    finally:
        await engine.dispose()


def _print_demo(creds: Any, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    lines = [
        "",
        "SP4N-LAPOR! complaint desk — demo jurisdiction 35.21 Kabupaten Ngawi (Asia/Jakarta)",
        f"  API:  {base}/v1    docs: {base}/docs    health: {base}/healthz",
        f"  People (password for all: {creds.password}):",
        *[f"    {role:<11} {username}" for role, username in creds.usernames],
        f"  Log in:  curl -s -X POST {base}/v1/auth/token -d username=admin.ngawi"
        f" -d password={creds.password}",
        "  API keys (new on every start; send as 'Authorization: Bearer <key>'):",
        *[f"    {role:<15} {key}" for role, key in sorted(creds.api_keys.items())],
        "",
    ]
    print("\n".join(lines), flush=True)


def cmd_dev(args: argparse.Namespace) -> None:
    from app.seed import seed_demo

    with database_url(get_settings().database_url) as url:
        migrate.upgrade(url)
        creds = asyncio.run(_in_transaction(url, seed_demo))
        _print_demo(creds, args.host, args.port)
        asyncio.run(_serve(_settings_with(url), args.host, args.port, with_worker=True))


def cmd_serve(args: argparse.Namespace) -> None:
    with database_url(get_settings().database_url) as url:
        asyncio.run(_serve(_settings_with(url), args.host, args.port, with_worker=False))


def cmd_worker(_: argparse.Namespace) -> None:
    with database_url(get_settings().database_url) as url:
        asyncio.run(_work(_settings_with(url)))


def cmd_migrate(_: argparse.Namespace) -> None:
    with database_url(get_settings().database_url) as url:
        migrate.upgrade(url)


def cmd_seed_demo(args: argparse.Namespace) -> None:
    from app.seed import seed_demo

    with database_url(get_settings().database_url) as url:
        migrate.upgrade(url)
        _print_demo(asyncio.run(_in_transaction(url, seed_demo)), args.host, args.port)


async def _jurisdiction(session: AsyncSession, code: str) -> Jurisdiction:
    jur = await session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if jur is None:
        raise SystemExit(f"no jurisdiction with code {code}")
    return jur


def cmd_create_jurisdiction(args: argparse.Namespace) -> None:
    from app.jurisdictions.service import create_jurisdiction

    async def work(session: AsyncSession) -> None:
        jur = await create_jurisdiction(session, args.code, args.name, args.timezone)
        print(jur.id)

    with database_url(get_settings().database_url) as url:
        asyncio.run(_in_transaction(url, work))


def cmd_openapi(_: argparse.Namespace) -> None:
    from app.openapi import render

    sys.stdout.write(render())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str, func: Callable[[argparse.Namespace], None], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        return p

    for name, func, help_text in [
        ("dev", cmd_dev, "migrate, seed the demo, serve the API with the worker (make run)"),
        ("serve", cmd_serve, "serve the API"),
        ("seed-demo", cmd_seed_demo, "create the demo jurisdiction and print its credentials"),
    ]:
        p = add(name, func, help_text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    add("worker", cmd_worker, "run the background worker (timers, callbacks)")
    add("migrate", cmd_migrate, "apply the database migrations")
    add("openapi", cmd_openapi, "print the OpenAPI document")
    p = add("create-jurisdiction", cmd_create_jurisdiction, "create a jurisdiction")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--timezone", required=True)

    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    try:
        args.func(args)
    except KeyboardInterrupt:
        sys.exit(130)
