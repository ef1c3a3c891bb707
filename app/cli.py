"""The command line: `python -m app <command>`; `make run` is `python -m app dev`."""

import argparse
import asyncio
import gc
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import uvicorn
import uvloop
from pydantic import SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.embedded import database_url
from app.kernel.clock import SystemClock
from app.kernel.config import Settings, get_settings
from app.kernel.db import DatabaseUnreachable, make_engine, make_sessionmaker
from app.kernel.errors import NotFound
from app.kernel.logging import configure as configure_logging
from app.kernel.logging import get_logger

log = get_logger("app.cli")


async def _in_transaction(
    url: str, work: Callable[[AsyncSession], Awaitable[Any]], commit: bool = True
) -> Any:
    """Run `work` in one transaction: committed, or rolled back when `commit` is false."""
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with make_sessionmaker(engine)() as session, session.begin() as transaction:
            result = await work(session)
            if not commit:
                await transaction.rollback()
            return result
    finally:
        await engine.dispose()


def _settings_with(url: str) -> Settings:
    return get_settings().model_copy(update={"database_url": url})


# uvicorn's fast parts (what `uvicorn[standard]` brings): the HTTP parser and the event loop
# in C instead of h11 and asyncio's pure-Python loop. The bare twins in bench/ run on the same
# two (bench/RESULTS.md).
HTTP_PARSER = "httptools"


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """`asyncio.run` on uvloop's event loop: how every long-running command runs."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def tune_gc() -> None:
    """Keep the garbage collector off the request path of a long-running server or worker.

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
        uvicorn.Config(
            create_app(settings), host=host, port=port, log_config=None, http=HTTP_PARSER
        )
    )
    tune_gc()
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
    from app import worker

    await worker.run(settings, stop)


async def _work(settings: Settings) -> None:
    from app import worker  # imported before the freeze, with everything it loads

    tune_gc()  # the worker's young objects are many too: ~15% of a busy sender's CPU was GC
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await worker.run(settings, stop)


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


def _demo_only(command: str) -> None:
    """The demo's users share one published password: never on a production database."""
    from app.kernel.hardening import InsecureSettings

    if get_settings().is_production:
        raise InsecureSettings(
            f"Refusing to run {command!r} with LAPOR_ENVIRONMENT=production: it seeds demo "
            "users whose password is published"
        )


def cmd_dev(args: argparse.Namespace) -> None:
    from app.seed import seed_demo

    _demo_only("dev")
    with database_url(get_settings()) as url:
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
            run(_serve_with_simulator(settings, args.host, args.port, port))
        else:
            run(_serve(settings, args.host, args.port, with_worker=True))


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
    with database_url(get_settings()) as url:
        run(_serve(_settings_with(url), args.host, args.port, with_worker=False))


def cmd_worker(_: argparse.Namespace) -> None:
    with database_url(get_settings()) as url:
        run(_work(_settings_with(url)))


def cmd_migrate(_: argparse.Namespace) -> None:
    with database_url(get_settings()) as url:
        migrate.upgrade(url)


def cmd_seed_demo(args: argparse.Namespace) -> None:
    from app.seed import seed_demo

    _demo_only("seed-demo")
    with database_url(get_settings()) as url:
        migrate.upgrade(url)
        _print_demo(asyncio.run(_in_transaction(url, seed_demo)), args.host, args.port)


async def _jurisdiction(session: AsyncSession, code: str) -> uuid.UUID:
    from app.jurisdictions.service import id_by_code

    jid = await id_by_code(session, code)
    if jid is None:
        raise NotFound(f"no jurisdiction with code {code}")
    return jid


def cmd_create_jurisdiction(args: argparse.Namespace) -> None:
    from app.jurisdictions.service import create_jurisdiction

    async def work(session: AsyncSession) -> None:
        jur = await create_jurisdiction(session, args.code, args.name, args.timezone)
        print(jur.id)

    _run(work)


async def _agency_id(session: AsyncSession, jurisdiction_id: uuid.UUID, code: str | None) -> Any:
    from app.routing.service import agency_id_by_code

    if code is None:
        return None
    agency_id = await agency_id_by_code(session, jurisdiction_id, code)
    if agency_id is None:
        raise NotFound(f"no agency with code {code} in this jurisdiction")
    return agency_id


def _run(work: Callable[[AsyncSession], Awaitable[Any]], commit: bool = True) -> Any:
    """Run `work` in one transaction (refusals reach the error boundary in `main`)."""
    with database_url(get_settings()) as url:
        return asyncio.run(_in_transaction(url, work, commit))


def cmd_create_user(args: argparse.Namespace) -> None:
    from app.accounts import service as accounts

    if not args.password_stdin:
        raise SystemExit("pass the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")

    async def work(session: AsyncSession) -> None:
        jid = await _jurisdiction(session, args.jurisdiction)
        agency_id = await _agency_id(session, jid, args.agency)
        user = await accounts.create_user(
            session, jid, args.username, password, args.role, agency_id, args.display_name
        )
        print(user.id)

    _run(work)


def cmd_create_api_key(args: argparse.Namespace) -> None:
    from app.accounts import clients

    async def work(session: AsyncSession) -> None:
        jid = await _jurisdiction(session, args.jurisdiction)
        agency_id = await _agency_id(session, jid, args.agency)
        client, key = await clients.create(session, jid, args.name, args.role, agency_id)
        print(f"client {client.id}, key prefix {key.prefix}", file=sys.stderr)
        print(key.token)  # the only line on stdout, so a script can capture it

    _run(work)


def cmd_revoke_api_key(args: argparse.Namespace) -> None:
    from app.accounts import service as accounts

    async def work(session: AsyncSession) -> None:
        await accounts.revoke_key(session, args.prefix, SystemClock().now())
        print(f"revoked {args.prefix} (running servers refuse it within 10 s)", file=sys.stderr)

    _run(work)


def cmd_rotate_api_key(args: argparse.Namespace) -> None:
    import uuid

    from app.accounts import clients

    try:
        client_id = uuid.UUID(args.client_id)
    except ValueError:
        raise SystemExit("--client-id must be a UUID") from None

    async def work(session: AsyncSession) -> None:
        key = await clients.rotate(session, None, client_id, SystemClock().now())
        print(f"new key prefix {key.prefix}; revoke the old one when switched", file=sys.stderr)
        print(key.token)

    _run(work)


def cmd_create_channel_account(args: argparse.Namespace) -> None:
    """Secrets come from the environment, so they never show in `ps` or shell history."""
    import os
    import secrets

    from app.channels.accounts import create_account
    from app.privacy.crypto import Sealer

    shared = os.environ.get("CHANNEL_SHARED_SECRET")
    if args.provider == "sms_gateway" and not shared:
        shared = secrets.token_urlsafe(32)
        print(f"gateway secret (shown once): {shared}")

    async def work(session: AsyncSession) -> None:
        jid = await _jurisdiction(session, args.jurisdiction)
        account_id = await create_account(
            session,
            Sealer.from_settings(get_settings()),
            jid,
            args.provider,
            args.name,
            shared_secret=shared,
            signing_secret=os.environ.get("CHANNEL_SIGNING_SECRET"),
            verify_token=os.environ.get("CHANNEL_VERIFY_TOKEN"),
            access_token=os.environ.get("CHANNEL_ACCESS_TOKEN"),
        )
        print(f"channel account: {account_id}")

    _run(work)


def cmd_load_regions(args: argparse.Namespace) -> None:
    from app.routing import regions_service

    async def work(session: AsyncSession) -> None:
        await _jurisdiction(session, args.jurisdiction)
        count = await regions_service.load(session, args.jurisdiction)
        print(f"loaded {count} regions under {args.jurisdiction}")

    _run(work)


def cmd_train_routing(args: argparse.Namespace) -> None:
    from app.classification import retrain

    async def work(session: AsyncSession) -> None:
        jid = await _jurisdiction(session, args.jurisdiction)
        out = await retrain.train(session, jid, SystemClock().now())
        if out is None:
            raise SystemExit("error: not enough verified history with a known agency yet")
        agency = out["evaluation"]["agency"].get("model", {})
        print(
            f"version {out['version']}: {'kept' if out['kept'] else 'not kept'}; "
            f"{out['samples']} complaints; hold-out top-1 {agency.get('top1')}, "
            f"threshold {agency.get('threshold')}, triage {agency.get('triage_rate')}"
        )

    _run(work)


def cmd_evaluate_routing(args: argparse.Namespace) -> None:
    from app.classification import evaluate_csv

    async def work(url: str, rows: list[evaluate_csv.Row]) -> dict[str, Any]:
        engine = make_engine(url, pool_size=1, max_overflow=0)
        try:
            async with make_sessionmaker(engine)() as session:
                try:
                    return await evaluate_csv.run(session, rows)
                finally:
                    await session.rollback()  # the scratch jurisdiction goes with it
        finally:
            await engine.dispose()

    try:
        rows = evaluate_csv.read(args.csv)
        with database_url(get_settings()) as url:
            migrate.upgrade(url)
            print(evaluate_csv.render(asyncio.run(work(url, rows))))
    except evaluate_csv.CsvError as exc:
        raise SystemExit(f"error: {exc}") from None


def _initial_password(username: str) -> str | None:
    """A new person's password from LAPOR_PASSWORD_<USERNAME> (admin.kupang: ..._ADMIN_KUPANG)."""
    import os
    import re

    return os.environ.get("LAPOR_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", username.upper()))


def cmd_setup_district(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from app.district import schema
    from app.district import service as district_service

    path = Path(args.file)
    console = Console(stderr=True)

    async def work(session: AsyncSession) -> district_service.Outcome:
        with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task("setting up", total=district_service.item_count(district))
            return await district_service.apply(
                session, district, SystemClock().now(), _initial_password, lambda: bar.advance(task)
            )

    try:
        district = schema.read(path)
        outcome: district_service.Outcome = _run(work, commit=not args.dry_run)
    except schema.DistrictFileError as exc:
        raise schema.DistrictFileError([f"{path}: {p}" for p in exc.problems]) from None
    for change in outcome.changes:
        print(change.line())
    created, updated = outcome.count("create"), outcome.count("update")
    code = district.jurisdiction.code
    if not created and not updated:
        print(f"nothing to change: {code} already matches {path}")
        return
    unchanged = outcome.count("unchanged")
    if args.dry_run:
        print(
            f"dry run, nothing written: would create {created}, update {updated}; "
            f"{unchanged} unchanged"
        )
        return
    print(f"{code}: created {created}, updated {updated}; {unchanged} unchanged")
    if outcome.secrets:
        print("Shown once, store them now (only their hashes are kept):")
        for whose, secret in outcome.secrets:
            print(f"  {whose}: {secret}")


def cmd_export_district(args: argparse.Namespace) -> None:
    from app.district import schema, state

    async def work(session: AsyncSession) -> str:
        return schema.dump(await state.export(session, args.jurisdiction, SystemClock().now()))

    text: str = _run(work, commit=False)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_openapi(_: argparse.Namespace) -> None:
    from app.openapi import render

    sys.stdout.write(render())


def cmd_citus_sql(_: argparse.Namespace) -> None:
    from app import tenancy

    print(tenancy.citus_sql())


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _variable(loc: tuple[int | str, ...]) -> str:
    """The environment variable a setting is read from (DATABASE_URL has no prefix)."""
    name = str(loc[0]) if loc else "?"
    return name if name.isupper() else f"LAPOR_{name.upper()}"


def _reason(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str,
        func: Callable[[argparse.Namespace], None],
        help: str,
        aliases: Sequence[str] = (),
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, aliases=list(aliases))
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
    add("citus-sql", cmd_citus_sql, "print the SQL that distributes a migrated database on Citus")
    p = add("create-jurisdiction", cmd_create_jurisdiction, "create a jurisdiction")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--timezone", required=True)
    p = add("create-user", cmd_create_user, "create a person (password read from stdin)")
    p.add_argument("--jurisdiction", required=True, help="jurisdiction code, e.g. 53.71")
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=["admin", "supervisor", "liaison", "operator"])
    p.add_argument("--agency", help="agency code (liaisons only)")
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = add("create-api-key", cmd_create_api_key, "create a machine client; prints only its key")
    p.add_argument("--jurisdiction", required=True, help="jurisdiction code, e.g. 53.71")
    p.add_argument(
        "--role", required=True, choices=["citizen_app", "hub", "channel_gateway", "agency_system"]
    )
    p.add_argument("--name", required=True)
    p.add_argument("--agency", help="agency code (agency_system only)")
    p = add("revoke-api-key", cmd_revoke_api_key, "revoke an API key by its prefix")
    p.add_argument("--prefix", required=True)
    p = add("rotate-api-key", cmd_rotate_api_key, "issue a second live key; prints only the key")
    p.add_argument("--client-id", required=True)

    p = add(
        "create-channel-account",
        cmd_create_channel_account,
        "register a provider account (secrets from CHANNEL_SIGNING_SECRET, CHANNEL_VERIFY_TOKEN, "
        "CHANNEL_ACCESS_TOKEN, CHANNEL_SHARED_SECRET)",
    )
    p.add_argument("--jurisdiction", required=True, help="Kemendagri code, e.g. 35.21")
    p.add_argument(
        "--provider", required=True, choices=["sms_gateway", "twilio", "whatsapp", "meta", "x"]
    )
    p.add_argument("--name", required=True)

    p = add(
        "setup-district",
        cmd_setup_district,
        "create or update a jurisdiction from a district file (docs/district.example.yaml)",
    )
    p.add_argument("file", help="the district's YAML file")
    p.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    p = add("export-district", cmd_export_district, "write a jurisdiction as a district file")
    p.add_argument("jurisdiction", help="Kemendagri code, e.g. 53.71")
    p.add_argument("-o", "--output", help="file to write (standard output when left out)")

    p = add("load-regions", cmd_load_regions, "load a jurisdiction's kecamatan and desa")
    p.add_argument("--jurisdiction", required=True, help="Kemendagri code, e.g. 35.21")
    # `train-classifier` was this command's first name: scripts that call it keep working.
    p = add(
        "train-routing",
        cmd_train_routing,
        "learn routing, category and type from history",
        aliases=["train-classifier"],
    )
    p.add_argument("--jurisdiction", required=True, help="Kemendagri code, e.g. 35.21")
    p = add("evaluate-routing", cmd_evaluate_routing, "score learned routing on your own CSV")
    p.add_argument(
        "--csv", required=True, help="columns: text, agency_code [, region_code, type, date]"
    )

    args = parser.parse_args(argv)
    try:
        configure_logging(get_settings().log_level)
    except ValidationError as exc:  # a bad setting: one line each, naming it, never its value
        sys.exit("\n".join(f"error: {_variable(e['loc'])}: {_reason(e)}" for e in exc.errors()))
    from app.kernel.hardening import check_production

    # SIGTERM (`docker stop`, `timeout`, a supervisor) unwinds like Ctrl-C: uvicorn re-raises the
    # signal it caught once it has shut down, and with the default handler the process died
    # there, before `database_url` could stop the embedded PostgreSQL it had started.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        # Every command, not only serve: the worker signs callbacks and opens sealed secrets.
        check_production(get_settings())
        args.func(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        problems = expected_failure(exc)
        if problems is None:
            raise  # a bug: its traceback is what a report needs
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)


def expected_failure(exc: Exception) -> list[str] | None:
    """The one line per problem a command's expected failure is told in; None for a bug.

    The one error boundary of every command: a refusal of a service (AppError: unknown
    jurisdiction, duplicate code, bad time zone), a bad district file, a file that cannot be
    read, a configuration mistake, or a database that cannot be reached or used.
    """
    import socket

    import asyncpg

    from app.district.schema import DistrictFileError
    from app.embedded import NoDatabase
    from app.kernel.db_faults import causes, is_database_fault
    from app.kernel.errors import AppError
    from app.kernel.hardening import InsecureSettings

    if isinstance(exc, InsecureSettings | NoDatabase):  # a configuration mistake
        return [str(exc)]
    if isinstance(exc, AppError):
        return [exc.message]
    if isinstance(exc, DistrictFileError):
        return exc.problems
    refused = (
        asyncpg.InvalidCatalogNameError,  # no such database
        asyncpg.InvalidAuthorizationSpecificationError,  # unknown role, wrong password
    )
    for cause in causes(exc):
        if isinstance(cause, refused):
            return [f"the database refused the connection: {cause}"]
        # Refused, unknown host: app/kernel/db.py names these DatabaseUnreachable; Alembic's
        # own engine (migrate) lets the socket's error through as it is.
        if isinstance(cause, DatabaseUnreachable):
            return [str(cause)]
        if isinstance(cause, ConnectionError | socket.gaierror):
            return [f"cannot connect to the database: {cause}"]
    if is_database_fault(exc):
        return [f"the database is unavailable: {exc}"]
    if isinstance(exc, OSError) and exc.filename is not None:
        return [f"cannot use {exc.filename}: {exc.strerror}"]
    return None
