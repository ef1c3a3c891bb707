"""The set-up commands as a deployment script runs them: real processes on the test database."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.kernel.config import Settings
from tests.conftest import _with_database
from tests.factories import World

ROOT = Path(__file__).resolve().parents[1]
# Real-looking values for every setting production refuses to leave at its default.
PRODUCTION_SECRETS = {
    "LAPOR_JWT_SECRET": "a-real-production-secret-of-enough-length-0123",
    "LAPOR_IDENTITY_KEYS": "k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlBQkNERUY=",
    "LAPOR_IDENTITY_INDEX_KEY": "a-real-index-key-of-enough-length-0123456",
    "LAPOR_WEBHOOK_CALLBACK_KEYS": "k2:a-real-callback-key-of-enough-length-01",
    "LAPOR_PUBLIC_BASE_URL": "https://lapor.ngawikab.go.id",
}


def _cli(
    database_url: str, *args: str, stdin: str = "", **env_vars: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LAPOR_LOG_LEVEL": "WARNING", **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_create_rotate_and_revoke_api_keys(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    created = _cli(
        database_url, "create-api-key", "--jurisdiction", "53.71", "--role", "citizen_app",
        "--name", "Aplikasi Kupang",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1  # only the key, so `KEY=$(python -m app create-api-key ...)` works
    first = lines[0]
    assert first.startswith("lpk_")
    clients = (await client.get("/v1/clients", headers=world.h("admin_kupang"))).json()["items"]
    [made] = [c for c in clients if c["name"] == "Aplikasi Kupang"]
    assert made["role"] == "citizen_app"

    rotated = _cli(database_url, "rotate-api-key", "--client-id", made["id"])
    assert rotated.returncode == 0, rotated.stderr
    second = rotated.stdout.strip()
    assert second.startswith("lpk_")
    assert second != first

    prefix = first.split("_")[1]
    revoked = _cli(database_url, "revoke-api-key", "--prefix", prefix)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout == ""
    assert (await client.get("/v1/complaints", headers=_bearer(first))).status_code == 401
    assert (await client.get("/v1/complaints", headers=_bearer(second))).status_code == 200


async def test_create_user_reads_the_password_from_stdin(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    password = "kata sandi yang panjang sekali"
    made = _cli(
        database_url, "create-user", "--jurisdiction", "53.71", "--username", "liaison.pu",
        "--role", "liaison", "--agency", "PU", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert password not in made.stdout + made.stderr
    login = await client.post(
        "/v1/auth/token", data={"username": "liaison.pu", "password": password}
    )
    assert login.status_code == 200, login.text
    listed = await client.get("/v1/complaints", headers=_bearer(login.json()["access_token"]))
    assert listed.status_code == 200


def test_commands_fail_clearly_and_print_no_key(world: World, database_url: str) -> None:
    unknown = _cli(
        database_url, "create-api-key", "--jurisdiction", "99.99", "--role", "hub", "--name", "X"
    )
    assert unknown.returncode != 0
    assert unknown.stdout == ""
    assert "99.99" in unknown.stderr
    short = _cli(
        database_url, "create-user", "--jurisdiction", "53.71", "--username", "a.b",
        "--role", "admin", "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert short.returncode == 1
    assert "12 characters" in short.stderr


def test_production_with_default_secrets_refuses_to_serve(database_url: str) -> None:
    served = _cli(database_url, "serve", "--port", "0", LAPOR_ENVIRONMENT="production")
    assert served.returncode == 1
    assert "Refusing to start with LAPOR_ENVIRONMENT=production" in served.stderr
    assert "LAPOR_JWT_SECRET is the development default" in served.stderr
    assert "Traceback" not in served.stderr


def test_production_without_database_url_refuses_the_embedded_database() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    secrets = {
        "LAPOR_ENVIRONMENT": "production",
        "LAPOR_PGDATA": "/nonexistent/never-created",
        **PRODUCTION_SECRETS,
    }
    # An empty DATABASE_URL (`DATABASE_URL=` in a compose file) is an unset one: refused too.
    for command, unset in [
        (["serve", "--port", "0"], {}),
        (["worker"], {}),
        (["migrate"], {}),
        (["migrate"], {"DATABASE_URL": ""}),
    ]:
        ran = subprocess.run(
            [sys.executable, "-m", "app", *command],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**env, **secrets, **unset},
            timeout=60,
            check=False,
        )
        assert ran.returncode == 1, (command, ran.stderr)
        assert "DATABASE_URL is not set" in ran.stderr
        assert "embedded database" in ran.stderr
        assert "Traceback" not in ran.stderr


def test_an_empty_variable_is_an_unset_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # `LAPOR_HUB_SIMULATOR_PORT=` stopped `make run` with "Input should be a valid integer".
    for name in ("LAPOR_HUB_SIMULATOR_PORT", "LAPOR_DB_POOL_SIZE", "LAPOR_SMTP_HOST"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    assert (settings.hub_simulator_port, settings.db_pool_size, settings.smtp_host) == (
        None,
        8,
        None,
    )


def test_production_refuses_to_seed_the_demo_users(database_url: str) -> None:
    for command in ("dev", "seed-demo"):
        ran = _cli(database_url, command, LAPOR_ENVIRONMENT="production", **PRODUCTION_SECRETS)
        assert ran.returncode == 1, ran.stderr
        assert f"Refusing to run '{command}' with LAPOR_ENVIRONMENT=production" in ran.stderr
        assert "Traceback" not in ran.stderr


def test_sigterm_stops_make_runs_embedded_postgres_too() -> None:
    # `docker stop`, `timeout` and supervisors send SIGTERM: the embedded server must go with us.
    import shutil
    import signal
    import socket
    import tempfile
    import time

    pgdata = Path(tempfile.mkdtemp(prefix="lpg", dir="/tmp")) / "pg"  # short: socket path limit
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"LAPOR_PGDATA": str(pgdata), "LAPOR_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("make run's server never came up")
        assert (pgdata / "postmaster.pid").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        # pg_ctl stop removes the pid file once the postmaster has exited.
        assert not (pgdata / "postmaster.pid").exists(), proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
        pid_file = pgdata / "postmaster.pid"
        if pid_file.exists():  # the test failed: do not leave a server behind either
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_a_killed_user_does_not_keep_the_embedded_postgres_running_forever() -> None:
    # pgserver stops the server when its last user leaves; one killed with SIGKILL never leaves.
    import shutil
    import signal
    import tempfile

    pgdata = Path(tempfile.mkdtemp(prefix="lpg", dir="/tmp")) / "pg"  # short: socket path limit
    use = (
        "import sys\nfrom pathlib import Path\nfrom app.embedded import embedded_database\n"
        f"with embedded_database(Path({str(pgdata)!r})):\n"
        "    print('up', flush=True)\n    sys.stdin.readline()\n"
    )

    def user() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", use],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == "up\n"
        return proc

    try:
        killed = user()
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        assert (pgdata / "postmaster.pid").exists()  # the killed user left it running
        last = user()
        last.communicate("\n", timeout=60)
        assert last.returncode == 0
        # The next user forgot the killed one, so leaving as the last user stopped the server.
        assert not (pgdata / "postmaster.pid").exists()
    finally:
        pid_file = pgdata / "postmaster.pid"
        if pid_file.exists():  # the test failed: do not leave a server behind either
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def _failure_lines(ran: subprocess.CompletedProcess[str]) -> list[str]:
    assert ran.returncode == 1, (ran.returncode, ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr
    return ran.stderr.splitlines()


def test_every_expected_failure_is_one_line_and_a_non_zero_exit(
    engine: object, database_url: str, tmp_path: Path
) -> None:
    created = _cli(database_url, "create-jurisdiction", "--code", "53.79", "--name", "Kabupaten X",
                   "--timezone", "Asia/Makassar")  # fmt: skip
    assert created.returncode == 0, created.stderr
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("jurisdiction:\n  code: ['53.79'\n")
    duplicate = tmp_path / "duplicate.yaml"
    duplicate.write_text(
        "jurisdiction: {code: '53.79', name: Kabupaten X, timezone: Asia/Makassar}\n"
        "agencies:\n- {code: PU, name: Dinas PU, kind: dinas}\n"
        "- {code: PU, name: Dinas PU lagi, kind: dinas}\n"
    )
    cases = {
        "unknown jurisdiction": (
            ["export-district", "99.99"],
            ["error: No jurisdiction with code 99.99."],
        ),
        "duplicate code": (
            ["create-jurisdiction", "--code", "53.79", "--name", "Lagi",
             "--timezone", "Asia/Makassar"],
            ["error: Jurisdiction 53.79 exists already."],
        ),
        "duplicate code in a file": (
            ["setup-district", str(duplicate)],
            [f"error: {duplicate}: agencies[{i}].code: PU appears more than once" for i in (0, 1)],
        ),
        "bad time zone": (
            ["create-jurisdiction", "--code", "53.80", "--name", "Y", "--timezone", "Asia/Kupang"],
            ["error: Unknown IANA time zone 'Asia/Kupang'."],
        ),
        "unreadable file": (
            ["setup-district", str(tmp_path / "missing.yaml")],
            [f"error: cannot use {tmp_path / 'missing.yaml'}: No such file or directory"],
        ),
        "invalid YAML": (
            ["setup-district", str(syntax)],
            [f"error: {syntax}: line 3, column 1: not valid YAML: expected ',' or ']', "
             "but got '<stream end>'"],
        ),
    }  # fmt: skip
    for name, (args, expected) in cases.items():
        assert _failure_lines(_cli(database_url, *args)) == expected, name

    refused = "postgresql://postgres@127.0.0.1:1/lapor"  # nothing listens on port 1
    example = str(ROOT / "docs" / "district.example.yaml")
    for args in (["migrate"], ["export-district", "53.79"], ["setup-district", example]):
        lines = _failure_lines(_cli(refused, *args))
        assert lines == [
            "error: cannot connect to the database: [Errno 111] Connect call failed "
            "('127.0.0.1', 1)"
        ], args
    missing = _with_database(database_url, "no_such_database")
    assert _failure_lines(_cli(missing, "export-district", "53.79")) == [
        'error: the database refused the connection: database "no_such_database" does not exist'
    ]
