"""The one in-process cache for reference data read on hot paths: a TTL per entry, single-flight.

Reference data (a jurisdiction's calendar and policies, its routing rules, the model in use, its
regions) is read by every intake and changes rarely, so each process keeps it for `ttl` seconds.
When an entry expires, ONE caller reloads it and the others keep getting the old value until it
is done (stale-while-revalidate); when there is no value at all (first use, or dropped by
`invalidate`), the others wait for that one load instead of each running the same queries.
Without this, requests queued behind a busy pool all found the entry expired together and all
reloaded it, each on a pooled connection: the further behind the service was, the more it
reloaded (bench/RESULTS.md).

The loader runs on its caller's session, and may need a pooled connection for it. A waiter may
hold one (its transaction began before it asked), or hold a row lock that the requests holding
the rest of the pool wait for: so a waiter waits at most `wait_seconds`, then loads on its own
session rather than wait in a cycle until the pool times out.

A failed (or cancelled) load keeps nothing, and drops the old value: its caller gets the error
and each waiter tries again, one of them loading. `invalidate` wins over a load in flight: that
load's value goes to its own caller but is not kept, so a change committed meanwhile is never
hidden for a whole `ttl`.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Given the value being replaced (None on first use or after `invalidate`): a loader may reuse
# what has not changed (the model store keeps its unpacked arrays while the version is the same).
Loader = Callable[[V | None], Awaitable[V]]


class TTLCache(Generic[K, V]):
    def __init__(self, ttl: float, wait_seconds: float = 1.0) -> None:
        self.ttl = ttl
        self.wait_seconds = wait_seconds
        self._entries: dict[K, tuple[float, V]] = {}  # key -> (monotonic time loaded, value)
        self._loading: dict[K, asyncio.Event] = {}
        # Bumped by every invalidation: a load that started before one does not keep its value.
        self._epoch = 0

    async def get(self, key: K, load: Loader[V]) -> V:
        while True:
            hit = self._entries.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
            pending = self._loading.get(key)
            if pending is None:
                return await self._load(key, load, hit[1] if hit is not None else None)
            if hit is not None:
                return hit[1]
            try:
                await asyncio.wait_for(pending.wait(), self.wait_seconds)
            except TimeoutError:
                return await self._load_alone(key, load)

    async def _load(self, key: K, load: Loader[V], previous: V | None) -> V:
        done = self._loading[key] = asyncio.Event()
        started, epoch = time.monotonic(), self._epoch
        try:
            value = await load(previous)
        except BaseException:
            # Not even the old value is served on: what the source said is unknown (a revoked key
            # fails its lookup), so the next caller asks again.
            self._entries.pop(key, None)
            raise
        else:
            if epoch == self._epoch:
                self._entries[key] = (started, value)
            return value
        finally:
            del self._loading[key]
            done.set()

    async def _load_alone(self, key: K, load: Loader[V]) -> V:
        started, epoch = time.monotonic(), self._epoch
        value = await load(None)
        if epoch == self._epoch:
            self._entries[key] = (started, value)
        return value

    def __contains__(self, key: object) -> bool:
        """Whether a value is held for `key`, fresh or not."""
        return key in self._entries

    def invalidate(self, key: K) -> None:
        self._epoch += 1
        self._entries.pop(key, None)

    def invalidate_after_commit(self, session: AsyncSession, key: K) -> None:
        """Drop the entry once this transaction commits, not before: a request reading in between
        would otherwise load the old data again and keep it for `ttl`."""
        event.listen(
            session.sync_session, "after_commit", lambda _: self.invalidate(key), once=True
        )

    def clear(self) -> None:
        self._epoch += 1
        self._entries.clear()
