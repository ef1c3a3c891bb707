"""The command line: `python -m app <command>`; `make run` is `python -m app dev`."""

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.embedded import database_url
from app.jurisdictions.models import Jurisdiction
from app.logging import configure as configure_logging
from app.outbox.worker import Worker, default_handlers, default_senders

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


async def _serve(settings: Settings, host: str, port: int, with_worker: bool) -> None:
    from app.main import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=host, port=port, log_config=None)
    )
    stop = asyncio.Event()
    worker_task = None
    if with_worker:
        worker_task = asyncio.create_task(_run_worker(settings, stop))
    try:
        await server.serve()
    finally:
        stop.set()
        if worker_task is not None:
            await worker_task


async def _run_worker(settings: Settings, stop: asyncio.Event) -> None:
    import app.models  # noqa: F401 - every table, so the ORM resolves each foreign key
    from app.hub.client import hub_from_settings
    from app.hub.push import sync_forever
    from app.privacy.crypto import IdentityCipher
    from app.webhooks.dispatcher import Dispatcher
    from app.webhooks.service import loopback_allowed
    from app.webhooks.url_guard import guarded_client

    engine = make_engine(settings.database_url or "", pool_size=4, max_overflow=8)
    sessions = make_sessionmaker(engine)
    cipher = IdentityCipher.from_setting(
        settings.identity_keys.get_secret_value(), settings.identity_index_key.get_secret_value()
    )
    # No redirects (a callback must not be bounced elsewhere) and a firm timeout.
    async with (
        httpx.AsyncClient(follow_redirects=False, timeout=10.0) as http,
        guarded_client(
            loopback_allowed(settings),
            settings.webhook_max_concurrency,
            settings.webhook_timeout_seconds,
        ) as hooks_http,
    ):
        worker = Worker(
            sessions,
            settings,
            default_handlers(settings),
            default_senders(settings, http, sessions),
        )
        loops = [
            worker.run_forever(stop),
            Dispatcher(sessions, settings, hooks_http, cipher).run_forever(stop),
        ]
        hub = hub_from_settings(settings, http)
        if hub is not None:
            loops.append(sync_forever(engine, sessions, settings, cipher, hub, stop))
        try:
            await asyncio.gather(*loops)
        finally:
            await engine.dispose()


async def _work(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await _run_worker(settings, stop)


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
        settings = _settings_with(url)
        if settings.hub_simulator_port:
            # Sync with a local hub simulator instead of the real hub (demo only).
            port = settings.hub_simulator_port
            settings = settings.model_copy(
                update={"hub_base_url": f"http://127.0.0.1:{port}", "hub_token": _SIM_TOKEN}
            )
            print(
                f"  Hub simulator: http://127.0.0.1:{port} (token {_SIM_TOKEN.get_secret_value()})"
            )
            asyncio.run(_serve_with_simulator(settings, args.host, args.port, port))
        else:
            asyncio.run(_serve(settings, args.host, args.port, with_worker=True))


_SIM_TOKEN = SecretStr("sim-token")


async def _serve_with_simulator(settings: Settings, host: str, port: int, sim_port: int) -> None:
    from app.hub.simulator import create_simulator

    sim = uvicorn.Server(
        uvicorn.Config(
            create_simulator(_SIM_TOKEN.get_secret_value()),
            host="127.0.0.1",
            port=sim_port,
            log_config=None,
        )
    )
    sim_task = asyncio.create_task(sim.serve())
    try:
        await _serve(settings, host, port, with_worker=True)
    finally:
        sim.should_exit = True
        await sim_task


def cmd_hub_simulator(args: argparse.Namespace) -> None:
    from app.hub.simulator import create_simulator

    uvicorn.run(create_simulator(args.token), host=args.host, port=args.port, log_config=None)


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
    p = add("hub-simulator", cmd_hub_simulator, "run a stand-in for the national LAPOR! hub")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8100)
    p.add_argument("--token", default=_SIM_TOKEN.get_secret_value())
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
