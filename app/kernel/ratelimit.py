"""Rate limits per caller and per client address: token buckets kept in this process.

Per process on purpose: no shared store to run, and a limit that is N times looser behind N
workers is still a limit. A deployment that needs one global limit puts it in the proxy.
The caller is identified by a hash of its credentials (before they are checked, so a flood of
bad tokens is limited too); the address is the ASGI client address (run uvicorn with
--proxy-headers behind a trusted proxy so that is the citizen's address, not the proxy's).
"""

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import Scope

from app.kernel.errors import answer_error

# The web complaint form takes complaints in like the API does (app/pages); the console
# (app/console) is the API behind a login form, whose guessing the address bucket slows too.
LIMITED_PATHS = ("/v1/", "/open311/", "/lapor", "/konsol/")
MAX_TRACKED = 100_000  # buckets kept; the least recently used are dropped beyond this


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


class RateLimiter:
    """429 with Retry-After once a caller or an address has used up its bucket (the API doors:
    /v1/*, Open311's /open311/* and the web form /lapor, which take the same complaints in, and
    the staff console /konsol/).

    Applied to every request by app/kernel/middleware.py; a rate of 0 turns its limit off.
    """

    def __init__(
        self, caller_rate: float, caller_burst: int, address_rate: float, address_burst: int
    ) -> None:
        self.callers = TokenBuckets(caller_rate, caller_burst) if caller_rate > 0 else None
        self.addresses = TokenBuckets(address_rate, address_burst) if address_rate > 0 else None

    def check(self, scope: Scope, headers: dict[bytes, bytes]) -> Response | None:
        """The 429 to answer, or None to let the request through (taking its tokens)."""
        if not scope["path"].startswith(LIMITED_PATHS) or (self.addresses is self.callers is None):
            return None
        now = time.monotonic()
        wait = 0.0
        if self.addresses is not None:
            client = scope.get("client")
            wait = self.addresses.take(client[0] if client else "-", now)
        auth = headers.get(b"authorization")
        if not wait and auth and self.callers is not None:
            wait = self.callers.take(hashlib.sha256(auth).hexdigest(), now)
        if not wait:
            return None
        return answer_error(
            scope,
            429,
            "rate_limited",
            "Too many requests; slow down.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
