"""Rate limits per caller and per client address: in this process, or shared by every replica.

By default each process keeps token buckets in memory: no store to run, and a limit that is N
times looser behind N processes is still a limit. With LAPOR_RATE_LIMIT_STORAGE naming a Redis,
every replica counts in the same Redis through the `limits` library, so the limit is one limit
however many replicas answer. A Redis that cannot be reached fails open to the local buckets
(a logged warning, a metric): a limiter must never take the complaint desk down.

The caller is identified by a hash of its credentials (before they are checked, so a flood of
bad tokens is limited too); the address is the ASGI client address (run uvicorn with
--proxy-headers behind a trusted proxy so that is the citizen's address, not the proxy's).
"""

import asyncio
import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from limits import RateLimitItemPerSecond
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.responses import Response
from starlette.types import Scope

from app.kernel.clock import WALL_CLOCK
from app.kernel.errors import answer_error
from app.kernel.logging import get_logger

log = get_logger(__name__)

# The web complaint form takes complaints in like the API does (app/pages); the console
# (app/console) is the API behind a login form, whose guessing the address bucket slows too.
LIMITED_PATHS = ("/v1/", "/open311/", "/lapor", "/konsol/")
FORM_PATH = "/lapor"  # where the web form posts
MAX_TRACKED = 100_000  # buckets kept; the least recently used are dropped beyond this
# The Redis URI schemes the bundled asyncio client (coredis) speaks.
STORAGE_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
# After a failure the shared store is left alone this long (the local buckets answer), so an
# outage costs one timeout per interval and process, not one per request.
STORAGE_RETRY_SECONDS = 5.0


def storage_problem(uri: str) -> str | None:
    """Why `uri` cannot be a shared rate-limit store, or None. Never repeats the URI (it may
    carry a password)."""
    parts = urlsplit(uri)
    if parts.scheme not in STORAGE_SCHEMES:
        return f"must be a Redis URI ({', '.join(s + '://' for s in STORAGE_SCHEMES)})"
    if not (parts.path if parts.scheme == "redis+unix" else parts.hostname):
        return "names no Redis host (e.g. redis://127.0.0.1:6379/0)"
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        return "has a port that is not a number"
    return None


@dataclass
class Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """`rate` tokens per second up to `burst`; each request takes one."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def take(self, key: str, now: float) -> float:
        """0 when allowed, else the seconds until a token is available."""
        bucket = self._buckets.pop(key, None) or Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets[key] = bucket
        if len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class Limit(Protocol):
    async def take(self, key: str) -> float:
        """0 when allowed (taking one request from `key`'s allowance), else seconds to wait."""
        ...


class LocalLimit:
    """Token buckets in this process."""

    def __init__(self, rate: float, burst: int) -> None:
        self.buckets = TokenBuckets(rate, burst)

    async def take(self, key: str) -> float:
        return self.buckets.take(key, time.monotonic())


class SharedStore:
    """The Redis every replica counts in, and what to do when it is down."""

    def __init__(self, uri: str, timeout: float, on_error: Callable[[], None]) -> None:
        self.timeout = timeout  # a Redis that has not answered by then counts as down
        storage = storage_from_string(
            f"async+{uri}",
            wrap_exceptions=True,
            key_prefix="lapor-ratelimit",
            connect_timeout=timeout,
            stream_timeout=timeout,
        )
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self.on_error = on_error
        self.down_until = 0.0  # time.monotonic() before which the store is not asked

    def failed(self, error: Exception) -> None:
        self.on_error()
        if time.monotonic() >= self.down_until:  # one warning per retry interval, not per request
            log.warning(
                "rate-limit storage unreachable; limiting per process",
                extra={"error": type(error).__name__, "retry_seconds": STORAGE_RETRY_SECONDS},
            )
        self.down_until = time.monotonic() + STORAGE_RETRY_SECONDS


class SharedLimit:
    """`burst` requests per `burst / rate` seconds (a sliding window) counted in the shared store:
    the same sustained rate and the same ceiling as the local bucket. While the store is down,
    the local bucket answers instead."""

    def __init__(self, store: SharedStore, name: str, rate: float, burst: int) -> None:
        self.store = store
        self.name = name
        self.item = RateLimitItemPerSecond(burst, max(1, round(burst / rate)))
        self.local = LocalLimit(rate, burst)

    async def take(self, key: str) -> float:
        if time.monotonic() < self.store.down_until:
            return await self.local.take(key)
        try:
            # The client's own timeouts do not bound its handshake with a host that never answers.
            async with asyncio.timeout(self.store.timeout):
                if await self.store.limiter.hit(self.item, self.name, key):
                    return 0.0
                stats = await self.store.limiter.get_window_stats(self.item, self.name, key)
        except (StorageError, TimeoutError) as error:
            self.store.failed(error)
            return await self.local.take(key)
        # `limits` counts in epoch seconds: compare with the real time, whatever the app's clock.
        return max(1.0, stats.reset_time - WALL_CLOCK.now().timestamp())


class RateLimiter:
    """429 with Retry-After once a caller or an address has used up its allowance (the doors
    that take complaints in: /v1/*, Open311's /open311/* and the web form /lapor; and the staff
    console /konsol/).

    Applied to every request by app/kernel/middleware.py; a limit of None is off.
    """

    def __init__(
        self, callers: Limit | None, addresses: Limit | None, forms: Limit | None = None
    ) -> None:
        self.callers = callers
        self.addresses = addresses
        # Posts of the public web form (no credentials to key on): far fewer per address than
        # API calls, yet a burst for the many phones behind one carrier-grade NAT address.
        self.forms = forms

    async def check(self, scope: Scope, headers: dict[bytes, bytes]) -> Response | None:
        """The 429 to answer, or None to let the request through (taking its allowance)."""
        if not scope["path"].startswith(LIMITED_PATHS):
            return None
        wait = 0.0
        client = scope.get("client")
        address = client[0] if client else "-"
        if self.forms is not None and scope["method"] == "POST" and scope["path"] == FORM_PATH:
            wait = await self.forms.take(address)
        if not wait and self.addresses is not None:
            wait = await self.addresses.take(address)
        auth = headers.get(b"authorization")
        if not wait and auth:
            wait = await self.caller_wait(auth)
        if not wait:
            return None
        return answer_error(scope, 429, "rate_limited", TOO_MANY, headers=retry_after(wait))

    async def caller_wait(self, authorization: bytes) -> float:
        """Take one request of the caller with this Authorization value: 0 when allowed, else
        the seconds to wait. Open311 sends its key as a field (app/open311/auth.py) and comes
        here with it as a bearer value, so a key has one allowance on /v1 and /open311 alike."""
        if self.callers is None:
            return 0.0
        return await self.callers.take(hashlib.sha256(authorization).hexdigest())


TOO_MANY = "Too many requests; slow down."


def retry_after(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


def build_rate_limiter(
    storage: str | None,
    caller: tuple[float, int],
    address: tuple[float, int],
    on_storage_error: Callable[[], None],
    storage_timeout: float = 0.25,
    form: tuple[float, int] = (0.0, 1),
) -> RateLimiter:
    """The limiter for (rate, burst) per caller, per address and per address posting the web
    form; a rate of 0 turns one off.
    Shared through `storage` (a Redis URI) when one is given, else kept in this process."""
    store = SharedStore(storage, storage_timeout, on_storage_error) if storage else None

    def limit(name: str, rate: float, burst: int) -> Limit | None:
        if rate <= 0:
            return None
        return SharedLimit(store, name, rate, burst) if store else LocalLimit(rate, burst)

    return RateLimiter(limit("caller", *caller), limit("address", *address), limit("form", *form))
