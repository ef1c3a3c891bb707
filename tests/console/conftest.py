"""Console test helpers: a browser-like client per person (its own cookie jar), logged in
through the real login form, and the CSRF token read back from the page as a browser would."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tests.factories import PASSWORD, World

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# Jurisdiction of each world caller that is not in Ngawi.
KUPANG = {"admin_kupang"}


def username(world: World, who: str) -> str:
    jurisdiction = world.other_jurisdiction_id if who in KUPANG else world.jurisdiction_id
    return f"{who}.{jurisdiction.hex[:6]}"


def csrf_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """An httpx client with the console's cookies and the session's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    async def get(self, path: str, **kw: object) -> httpx.Response:
        return await self.client.get(path, **kw)  # type: ignore[arg-type]

    async def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        """A form post with the session's token, as the console's own forms send it."""
        return await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})})

    async def log_in(self, world: World, who: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.client.get("/konsol/masuk")
        answer = await self.client.post(
            "/konsol/masuk",
            data={
                "csrf_token": csrf_of(form.text),
                "username": username(world, who),
                "password": password,
                "next": "/konsol/antrian/semua",
            },
        )
        if answer.status_code == 303:
            self.csrf = csrf_of((await self.client.get("/konsol/antrian/semua")).text)
        return answer


Open = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def browser(app: object, world: World) -> AsyncIterator[Open]:
    """`await browser("admin")`: a fresh client logged in as that world caller (or, with
    `log_in=False`, not logged in)."""
    clients: list[httpx.AsyncClient] = []

    async def open_as(who: str | None = None) -> Browser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://desk.test",
        )
        clients.append(client)
        b = Browser(client)
        if who is not None:
            answer = await b.log_in(world, who)
            assert answer.status_code == 303, answer.text
        return b

    yield open_as
    for client in clients:
        await client.aclose()


def agency(world: World, code: str) -> str:
    return str(world.agencies[code])
