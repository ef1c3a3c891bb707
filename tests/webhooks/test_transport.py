"""The guarded transport under the sender, against real sockets: TLS, keep-alive, closed peers."""

import asyncio
import contextlib
import datetime
import inspect
import ipaddress
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.webhooks.url_guard import BlockedAddress, GuardedTransport
from tests.webhooks.receiver import Answer, Receiver


def _certificate(tmp: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (and 127.0.0.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return _certificate(tmp_path)


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


async def _post(transport: GuardedTransport, url: str) -> httpx.Response:
    request = httpx.Request("POST", url, content=b'{"a":1}', headers={"webhook-id": "msg_1"})
    response = await transport.handle_async_request(request)
    await response.aread()
    return response


@contextlib.asynccontextmanager
async def listening(tls: ssl.SSLContext | None = None) -> AsyncIterator[Receiver]:
    receiver = await Receiver().start(tls)
    try:
        yield receiver
    finally:
        await receiver.stop()


async def test_https_names_the_host_for_tls_while_connecting_to_the_checked_address(
    certificate: tuple[Path, Path],
) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    async with (
        listening(_server_tls(certificate)) as receiver,
        GuardedTransport(True, 4, 2.0, ssl_context=trusting) as transport,
    ):
        response = await _post(transport, f"https://localhost:{receiver.port}/hook")
    assert (response.status_code, response.content) == (200, b"ok")
    assert receiver.server_names == ["localhost"]  # SNI: the name, not the address dialled
    assert receiver.hits[0].headers["host"] == f"localhost:{receiver.port}"


async def test_https_to_a_certificate_nobody_vouches_for_fails_to_connect(
    certificate: tuple[Path, Path],
) -> None:
    async with (
        listening(_server_tls(certificate)) as receiver,
        GuardedTransport(True, 4, 2.0) as transport,
    ):
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await _post(transport, f"https://localhost:{receiver.port}/hook")
    assert receiver.hits == []


async def test_a_kept_alive_connection_carries_the_next_request_whole() -> None:
    async with listening() as receiver, GuardedTransport(True, 4, 2.0) as transport:
        for _ in range(3):
            assert (await _post(transport, receiver.url())).status_code == 200
    assert receiver.connections == 1
    assert [h.body for h in receiver.hits] == [b'{"a":1}'] * 3


async def test_a_connection_the_receiver_closed_while_idle_is_not_used_again() -> None:
    async with listening() as receiver, GuardedTransport(True, 4, 2.0) as transport:
        receiver.plan("/hook", Answer(close=True))
        assert (await _post(transport, receiver.url())).status_code == 200
        for _ in range(20):  # until the receiver's FIN has arrived
            await asyncio.sleep(0.01)
        assert (await _post(transport, receiver.url())).status_code == 200
    assert receiver.connections == 2


async def test_a_receiver_that_never_answers_is_a_read_timeout() -> None:
    never = asyncio.Event()
    async with listening() as receiver, GuardedTransport(True, 4, 0.2) as transport:
        receiver.plan("/hook", Answer(stall=never))
        with pytest.raises(httpx.ReadTimeout):
            await _post(transport, receiver.url())
        never.set()


async def test_a_closed_port_is_a_connect_error_and_loopback_needs_the_setting() -> None:
    async with listening() as receiver:
        port = receiver.port
    async with GuardedTransport(True, 4, 1.0) as transport:
        with pytest.raises(httpx.ConnectError):
            await _post(transport, f"http://127.0.0.1:{port}/hook")
    async with GuardedTransport(False, 4, 1.0) as transport:
        with pytest.raises(BlockedAddress, match="loopback"):
            await _post(transport, f"http://localhost:{port}/hook")


ON_UVLOOP = [
    test_https_names_the_host_for_tls_while_connecting_to_the_checked_address,
    test_https_to_a_certificate_nobody_vouches_for_fails_to_connect,
    test_a_kept_alive_connection_carries_the_next_request_whole,
    test_a_connection_the_receiver_closed_while_idle_is_not_used_again,
    test_a_receiver_that_never_answers_is_a_read_timeout,
]


@pytest.mark.parametrize("case", ON_UVLOOP, ids=lambda case: case.__name__.removeprefix("test_"))
def test_the_same_on_uvloop(
    case: Callable[..., Coroutine[None, None, None]], certificate: tuple[Path, Path]
) -> None:
    """The worker runs on uvloop (app/cli.py), whose transports are not asyncio's classes: each
    case again on a uvloop loop of its own, in a thread of its own (the suite runs on asyncio)."""
    args = (certificate,) if "certificate" in inspect.signature(case).parameters else ()

    def run() -> None:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(case(*args))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()
