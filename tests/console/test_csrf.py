"""CSRF: every unsafe console request carries its session's token, checked in one place."""

from fastapi.routing import APIRoute

from app.console.guard import csrf_guard
from app.kernel.config import Settings
from app.kernel.error_docs import api_routes
from app.main import create_app
from tests.complaint_states import make_complaint
from tests.console.conftest import Open, csrf_of, username
from tests.factories import PASSWORD, World


def test_every_console_route_passes_the_csrf_guard() -> None:
    app = create_app(Settings(database_url="postgresql://unused/x"))
    console = [r for r in api_routes(app.routes) if r.path.startswith("/konsol")]
    unsafe = [r for r in console if r.methods - {"GET", "HEAD"}]
    assert len(unsafe) >= 15  # login, logout, eight actions, reveal, set-up forms
    unguarded = [
        r.path
        for r in console
        if isinstance(r, APIRoute)
        and not any(d.call is csrf_guard for d in r.dependant.dependencies)
    ]
    assert unguarded == []


async def test_an_action_without_the_token_is_refused_and_changes_nothing(
    browser: Open, world: World, client: object
) -> None:
    admin = await browser("admin")
    cid = await make_complaint(client, world)  # type: ignore[arg-type]
    refused = await admin.client.post(
        f"/konsol/keluhan/{cid}/verifikasi", data={"type": "non_field"}
    )
    assert refused.status_code == 403
    assert "csrf_failed" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    status = (await client.get(f"/v1/complaints/{cid}", headers=world.h("admin"))).json()  # type: ignore[attr-defined]
    assert status["status"] == "received"


async def test_another_sessions_token_is_refused(
    browser: Open, world: World, client: object
) -> None:
    admin, other = await browser("admin"), await browser("admin")
    cid = await make_complaint(client, world)  # type: ignore[arg-type]
    assert admin.csrf != other.csrf
    refused = await admin.client.post(
        f"/konsol/keluhan/{cid}/verifikasi", data={"type": "non_field", "csrf_token": other.csrf}
    )
    assert refused.status_code == 403


async def test_login_without_the_login_forms_token_is_refused(browser: Open, world: World) -> None:
    b = await browser()
    page = await b.get("/konsol/masuk")
    fields = {"username": username(world, "admin"), "password": PASSWORD}
    # A page elsewhere can post the fields but cannot read or set the browser's login cookie.
    b.client.cookies.clear()
    refused = await b.client.post(
        "/konsol/masuk", data={**fields, "csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    assert "konsol_sesi" not in b.client.cookies
