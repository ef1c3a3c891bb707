"""Console sessions: the cookie's flags, what the table keeps, logout, idle and absolute ends,
uniform login failures, and a cookie that never opens the API."""

import hashlib
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
from fastapi.responses import Response
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.models import User
from app.console.guard import set_cookie
from app.kernel.clock import ManualClock
from app.kernel.config import Settings
from app.main import create_app
from tests.console.conftest import Open, csrf_of, username
from tests.factories import World


async def test_login_sets_an_httponly_lax_cookie_scoped_to_the_console(
    browser: Open, world: World
) -> None:
    b = await browser()
    answer = await b.log_in(world, "admin")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/konsol/antrian/semua"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("konsol_sesi="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/konsol", "samesite=lax"} <= flags
    assert "secure" not in flags  # plain HTTP in development and tests; production: below


def test_the_cookie_is_secure_in_production() -> None:
    response = Response()
    request = SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(is_production=True)))
    )
    set_cookie(request, response, "konsol_sesi", "x", max_age=60)  # type: ignore[arg-type]
    assert "secure" in response.headers["set-cookie"].lower()


async def test_the_table_keeps_only_a_hash_of_the_cookie(
    browser: Open, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    b = await browser("admin")
    value = b.client.cookies.get("konsol_sesi")
    assert value
    async with sessions() as s:
        rows = (await s.execute(text("SELECT token_hash, user_id FROM console_sessions"))).all()
    assert [(r.token_hash, r.user_id) for r in rows] == [
        (hashlib.sha256(value.encode()).hexdigest(), world.ids["admin"])
    ]


async def test_unknown_user_and_wrong_password_get_the_same_answer(
    browser: Open, world: World
) -> None:
    b = await browser()
    wrong = await b.log_in(world, "admin", password="not the password at all")
    unknown = await b.client.post(
        "/konsol/masuk",
        data={
            "csrf_token": csrf_of(wrong.text),
            "username": "nobody.here",
            "password": "not the password at all",
            "next": "/konsol/antrian/semua",
        },
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in wrong.text
    assert wrong.text == unknown.text
    assert "konsol_sesi" not in b.client.cookies


async def test_logout_deletes_the_session_so_a_copied_cookie_is_worthless(
    browser: Open, world: World, app: object
) -> None:
    b = await browser("admin")
    copied = b.client.cookies.get("konsol_sesi")
    out = await b.post("/konsol/keluar")
    assert out.status_code == 303
    assert out.headers["location"] == "/konsol/masuk"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://desk.test",
        cookies={"konsol_sesi": copied or ""},
    ) as thief:
        again = await thief.get("/konsol/antrian/semua")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/konsol/masuk?next=")


async def test_anonymous_is_sent_to_login_and_back(browser: Open, world: World) -> None:
    b = await browser()
    answer = await b.get("/konsol/antrian/verifikasi")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/konsol/masuk?next=%2Fkonsol%2Fantrian%2Fverifikasi"


async def test_login_never_redirects_outside_the_console(browser: Open, world: World) -> None:
    b = await browser()
    form = await b.get("/konsol/masuk?next=https://evil.example/")
    answer = await b.client.post(
        "/konsol/masuk",
        data={
            "csrf_token": csrf_of(form.text),
            "username": username(world, "admin"),
            "password": "correct horse battery staple",
            "next": "//evil.example/konsol/",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/konsol/"


async def test_an_idle_session_ends(browser: Open, world: World, clock: ManualClock) -> None:
    b = await browser("admin")
    clock.advance(timedelta(minutes=29))
    assert (await b.get("/konsol/antrian/semua")).status_code == 200  # and it counts as use
    clock.advance(timedelta(minutes=29))
    assert (await b.get("/konsol/antrian/semua")).status_code == 200
    clock.advance(timedelta(minutes=31))
    assert (await b.get("/konsol/antrian/semua")).status_code == 303


async def test_a_session_ends_at_its_lifetime_however_busy(
    browser: Open, world: World, clock: ManualClock
) -> None:
    b = await browser("admin")
    for _ in range(12 * 3 - 1):
        clock.advance(timedelta(minutes=20))
        assert (await b.get("/konsol/antrian/semua")).status_code == 200
    clock.advance(timedelta(minutes=21))
    assert (await b.get("/konsol/antrian/semua")).status_code == 303


async def test_a_deactivated_account_is_out_on_the_next_click(
    browser: Open, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    b = await browser("admin")
    async with sessions() as s, s.begin():
        await s.execute(update(User).where(User.id == world.ids["admin"]).values(active=False))
    assert (await b.get("/konsol/antrian/semua")).status_code == 303


@pytest.mark.parametrize("path", ["/v1/complaints", "/v1/agencies"])
async def test_the_session_cookie_never_authenticates_the_api(
    browser: Open, world: World, path: str
) -> None:
    b = await browser("admin")
    # The browser would not send it (Path=/konsol); a client that does still gets no access.
    cookie = b.client.cookies.get("konsol_sesi") or ""
    answer = await b.client.get(path, headers={"Cookie": f"konsol_sesi={cookie}"})
    assert answer.status_code == 401


async def test_login_guessing_is_rate_limited_by_the_shared_limiter(
    settings: Settings, engine: object, world: World
) -> None:
    tight = settings.model_copy(
        update={"rate_limit_address_per_second": 0.01, "rate_limit_address_burst": 2}
    )
    app = create_app(tight)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://desk.test"
        ) as client,
    ):
        form = await client.get("/konsol/masuk")
        guess = {"csrf_token": csrf_of(form.text), "username": "admin", "password": "guess"}
        second = await client.post("/konsol/masuk", data=guess)
        limited = await client.post("/konsol/masuk", data=guess)
    assert second.status_code == 401
    assert limited.status_code == 429
    assert "retry-after" in limited.headers
    assert limited.headers["content-type"].startswith("text/html")
