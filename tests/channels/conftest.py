"""Channel fixtures: an app whose outgoing SMS and send-API calls reach a real local receiver,
and one channel account per provider for Kabupaten Ngawi (secrets from the providers' vectors)."""

import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.channels.accounts import create_account
from app.kernel.clock import Clock
from app.kernel.config import Settings
from app.main import create_app
from app.privacy.crypto import Sealer
from tests.conftest import clock_of
from tests.engines import worker as engine_of
from tests.factories import World

FIXTURES = Path("/work/shared/fixtures/channels")
WHATSAPP_SECRET = "1222e786b144d0e85b9f365372d93676"  # revoked; from pywa's test suite
WHATSAPP_SIGNATURE = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
X_SECRET = json.loads((FIXTURES / "crc_challenge_vector.json").read_text())["consumer_secret"]
META_SECRET = "messenger-app-secret-for-tests"
TWILIO_TOKEN = "12345"
GATEWAY_SECRET = "kannel-gateway-secret-0123456789"
VERIFY_TOKEN = "lapor-ngawi-verify"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 standing in for the SMS gateway and the send APIs."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.requests.append(
                Received("POST", self.path, dict(self.headers.items()), json.loads(raw or b"null"))
            )
            self.send_response(state.status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def channel_settings(settings: Settings, receiver: Receiver, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "sms_gateway_url": f"{receiver.url}/sms/send",
            "meta_graph_url": f"{receiver.url}/graph",
            "x_api_url": f"{receiver.url}/x",
            "sms_join_window_seconds": 20.0,
            "attachments_dir": str(tmp_path / "attachments"),
            "public_base_url": "https://lapor.example.go.id",
        }
    )


@pytest.fixture
async def channel_client(
    channel_settings: Settings, engine: object, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(channel_settings, clock=clock_of(request))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


def cipher_for(settings: Settings) -> Sealer:
    return Sealer.from_settings(settings)


@dataclass
class Accounts:
    ids: dict[str, str]


@pytest.fixture
async def channel_accounts(
    world: World, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> Accounts:
    cipher = cipher_for(settings)
    j = world.jurisdiction_id
    ids: dict[str, str] = {}
    async with sessions() as session, session.begin():
        ids["whatsapp"] = str(
            await create_account(
                session,
                cipher,
                j,
                "whatsapp",
                "WA Ngawi",
                signing_secret=WHATSAPP_SECRET,
                verify_token=VERIFY_TOKEN,
                access_token="wa-access-token",
            )
        )
        ids["meta"] = str(
            await create_account(
                session,
                cipher,
                j,
                "meta",
                "Page Ngawi",
                signing_secret=META_SECRET,
                verify_token=VERIFY_TOKEN,
                access_token="page-access-token",
            )
        )
        ids["x"] = str(
            await create_account(
                session,
                cipher,
                j,
                "x",
                "@NgawiLapor",
                signing_secret=X_SECRET,
                access_token="x-user-token",
            )
        )
        ids["twilio"] = str(
            await create_account(
                session, cipher, j, "twilio", "Twilio", signing_secret=TWILIO_TOKEN
            )
        )
        ids["sms_gateway"] = str(
            await create_account(
                session, cipher, j, "sms_gateway", "Kannel Telkomsel", shared_secret=GATEWAY_SECRET
            )
        )
    return Accounts(ids)


async def run_worker(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock | None = None
) -> None:
    """Drain what is due now (by `clock`, the system's without one): fan-out, then the sends."""
    async with engine_of(settings, sessions.kw["bind"], clock=clock) as worker:
        for _ in range(10):
            if await worker.run_batch() == 0:
                return
