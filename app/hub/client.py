"""The national hub behind one interface: base URL, token and our jurisdiction from settings."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from app.hub.mapping import HubComplaint, Unreadable, complaint_from_wire
from app.kernel.clock import WALL_CLOCK
from app.kernel.config import Settings
from app.webhooks.rules import parse_retry_after


class HubError(Exception):
    """The hub refused or could not be reached; `retry` says whether trying again may help."""

    def __init__(self, message: str, retry: bool, retry_after_seconds: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.retry_after_seconds = retry_after_seconds


class Hub(Protocol):
    def dispositions(self) -> AsyncIterator[HubComplaint | Unreadable]: ...
    def complaints(self) -> AsyncIterator[HubComplaint | Unreadable]: ...
    async def create(self, body: dict[str, Any]) -> str: ...
    async def update(self, hub_id: str, body: dict[str, Any]) -> None: ...
    async def update_by_ref(self, external_ref: str, body: dict[str, Any]) -> None: ...


@dataclass
class HttpHub:
    """The hub over HTTP (the simulator implements the same contract)."""

    http: httpx.AsyncClient
    base_url: str
    token: str
    jurisdiction: str

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        url = f"{self.base_url.rstrip('/')}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            resp = await self.http.request(method, url, headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise HubError(f"hub unreachable: {type(exc).__name__}: {exc}", retry=True) from exc
        if resp.status_code >= 400:
            # An HTTP-date in Retry-After is the hub's wall clock, and the wait real seconds.
            wait = parse_retry_after(resp.headers.get("retry-after"), WALL_CLOCK.now())
            retry = resp.status_code in (404, 408, 409, 425, 429) or resp.status_code >= 500
            raise HubError(
                f"hub answered {resp.status_code}: {resp.text[:300]}",
                retry=retry,
                retry_after_seconds=wait.total_seconds() if wait is not None else None,
            )
        return resp.json() if resp.content else None

    async def _pages(self, path: str) -> AsyncIterator[HubComplaint | Unreadable]:
        after: str | None = None
        while True:
            params = {"limit": 100, **({"after": after} if after else {})}
            page = await self._call("GET", path, params=params)
            for raw in page["items"]:
                yield complaint_from_wire(raw)
            after = page.get("next")
            if not after:
                return

    def dispositions(self) -> AsyncIterator[HubComplaint | Unreadable]:
        """Complaints the hub has dispositioned to this jurisdiction."""
        return self._pages(f"/instansi/{self.jurisdiction}/disposisi")

    def complaints(self) -> AsyncIterator[HubComplaint | Unreadable]:
        """Every hub complaint that is ours: dispositioned to us or forwarded by us."""
        return self._pages(f"/instansi/{self.jurisdiction}/laporan")

    async def create(self, body: dict[str, Any]) -> str:
        """Forward one of our complaints; idempotent on `external_ref`. Returns the hub id."""
        out = await self._call("POST", f"/instansi/{self.jurisdiction}/laporan", json=body)
        return str(out["id"])

    async def update(self, hub_id: str, body: dict[str, Any]) -> None:
        """Report a status change or response; idempotent on (hub id, seq)."""
        await self._call("POST", f"/laporan/{hub_id}/tindak-lanjut", json=body)

    async def update_by_ref(self, external_ref: str, body: dict[str, Any]) -> None:
        """The same, for a complaint we forwarded, addressed by our own reference."""
        path = f"/instansi/{self.jurisdiction}/laporan/ref/{external_ref}/tindak-lanjut"
        await self._call("POST", path, json=body)


def hub_from_settings(settings: Settings, http: httpx.AsyncClient) -> HttpHub | None:
    """The configured hub, or None when sync is off (no base URL)."""
    if not settings.hub_base_url:
        return None
    return HttpHub(
        http,
        settings.hub_base_url,
        settings.hub_token.get_secret_value(),
        settings.hub_jurisdiction,
    )
