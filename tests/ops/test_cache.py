"""The kernel's TTL cache: one load per key at a time, nothing kept from a failed load."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kernel.cache import TTLCache


class Source:
    """A loader that counts its calls and finishes only when the test lets it."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.failures = 0  # how many of the first calls fail

    async def load(self, previous: int | None) -> int:
        self.calls += 1
        call = self.calls
        await self.release.wait()
        if call <= self.failures:
            raise RuntimeError("database gone")
        return call * 10


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_callers_on_an_empty_entry_share_one_load() -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    callers = [asyncio.create_task(cache.get("k", source.load)) for _ in range(50)]
    await _settle()
    assert source.calls == 1
    assert not any(c.done() for c in callers)  # they wait for the one load
    source.release.set()
    assert await asyncio.gather(*callers) == [10] * 50
    assert await cache.get("k", source.load) == 10
    assert source.calls == 1


async def test_an_expired_entry_is_reloaded_once_and_served_stale_meanwhile() -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    source.release.set()
    assert await cache.get("k", source.load) == 10
    cache.ttl = 0.0
    source.release.clear()
    reloading = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    # While one caller reloads, the others get the old value at once, without loading.
    assert await asyncio.gather(*(cache.get("k", source.load) for _ in range(20))) == [10] * 20
    assert source.calls == 2
    source.release.set()
    assert await reloading == 20


async def test_a_failed_load_keeps_nothing_and_a_waiter_loads_again() -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    source.failures = 1
    first = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    waiter = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    assert source.calls == 1
    source.release.set()
    with pytest.raises(RuntimeError):
        await first
    assert await waiter == 20  # its own load, not the failure
    assert source.calls == 2
    assert await cache.get("k", source.load) == 20


async def test_a_cancelled_load_does_not_leave_waiters_hanging() -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    first = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    waiter = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    first.cancel()  # e.g. its client went away
    await _settle()
    assert source.calls == 2  # the waiter took over
    source.release.set()
    assert await asyncio.wait_for(waiter, 5) == 20


async def test_a_waiter_that_waited_long_enough_loads_on_its_own() -> None:
    # The loader may need a pooled connection that waiters (or requests behind their locks) hold.
    cache: TTLCache[str, int] = TTLCache(60, wait_seconds=0.05)
    stuck = Source()
    loading = asyncio.create_task(cache.get("k", stuck.load))
    await _settle()
    own = Source()
    own.release.set()
    assert await asyncio.wait_for(cache.get("k", own.load), 5) == 10
    assert await cache.get("k", stuck.load) == 10  # kept: the next caller is served
    loading.cancel()


async def test_an_invalidation_during_a_load_is_not_undone_by_it() -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    loading = asyncio.create_task(cache.get("k", source.load))
    await _settle()
    cache.invalidate("k")  # a change committed while the old data was being read
    source.release.set()
    assert await loading == 10  # its caller still gets what it read
    assert await cache.get("k", source.load) == 20  # but the next caller reads again


async def test_invalidate_after_commit_drops_the_entry_only_at_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cache: TTLCache[str, int] = TTLCache(60)
    source = Source()
    source.release.set()
    await cache.get("k", source.load)
    async with sessions() as session:
        async with session.begin():
            await session.execute(text("SELECT 1"))
            cache.invalidate_after_commit(session, "k")
            assert await cache.get("k", source.load) == 10  # not yet committed: kept
        assert await cache.get("k", source.load) == 20
        async with session.begin():
            await session.execute(text("SELECT 1"))
            cache.invalidate_after_commit(session, "k")
            await session.rollback()
    assert await cache.get("k", source.load) == 20  # rolled back: kept
    assert source.calls == 2
