"""A real HTTP receiver on 127.0.0.1 for callback tests: scripted answers, stalls, drops.

A raw asyncio server rather than an ASGI app, so it can do what ASGI cannot: close the
connection without answering. Keep-alive is supported, as httpx reuses connections.
"""

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None = None  # checked with the library when the receiver has a secret


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    stall: asyncio.Event | None = None  # wait for this before answering
    delay: float = 0.0
    drop: bool = False  # close the connection without a word
    close: bool = False  # answer, then close the connection (without saying so in a header)


class Receiver:
    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.plans: dict[str, list[Answer]] = {}
        self.arrived = asyncio.Event()
        self._server: asyncio.Server | None = None
        self.port = 0
        self.secret: str | None = None  # set it to verify every request as a real receiver would
        self.connections = 0
        self.server_names: list[str | None] = []  # TLS: the name each client asked for (SNI)

    async def start(self, tls: ssl.SSLContext | None = None) -> "Receiver":
        if tls is not None:
            tls.sni_callback = self._sni
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def plan(self, path: str, *answers: Answer) -> None:
        """The next answers for `path`, in order; after them, 200 OK."""
        self.plans.setdefault(path, []).extend(answers)

    def on(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    def _sni(self, sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.server_names.append(name)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                raw_head = await reader.readuntil(b"\r\n\r\n")
                lines = raw_head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, _, v = line.partition(":")
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                hit = Hit(path, headers, body)
                if self.secret is not None:
                    try:
                        Webhook(self.secret).verify(body, headers)
                        hit.verified = True
                    except WebhookVerificationError:
                        hit.verified = False
                self.hits.append(hit)
                self.arrived.set()
                queue = self.plans.get(path) or []
                answer = queue.pop(0) if queue else Answer()
                if answer.stall is not None:
                    await answer.stall.wait()
                if answer.delay:
                    await asyncio.sleep(answer.delay)
                if answer.drop:
                    writer.transport.abort()
                    return
                extra = "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
                head = f"HTTP/1.1 {answer.status} X\r\ncontent-length: {len(answer.body)}\r\n"
                writer.write(f"{head}{extra}\r\n".encode() + answer.body)
                await writer.drain()
                if answer.close:
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
