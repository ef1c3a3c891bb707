import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.accounts.keys import ApiKeyAuthenticator, hash_secret
from app.kernel.clock import SystemClock
from app.kernel.errors import Unauthorized
from tests.factories import World


def _count_key_lookups(engine: AsyncEngine) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM api_keys" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen, record


async def test_concurrent_requests_with_a_cold_key_share_one_lookup(
    world: World, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    authenticator = ApiKeyAuthenticator(sessions, SystemClock())
    seen, record = _count_key_lookups(engine)
    try:
        principals = await asyncio.gather(
            *(authenticator.authenticate(world.tokens["citizen_app"]) for _ in range(20))
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert {p.id for p in principals} == {world.ids["citizen_app"]}
    assert len(seen) == 1


async def test_concurrent_requests_with_a_wrong_key_all_get_401(
    world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    authenticator = ApiKeyAuthenticator(sessions, SystemClock())
    wrong = world.tokens["citizen_app"][:-4] + "AAAA"
    results = await asyncio.gather(
        *(authenticator.authenticate(wrong) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, Unauthorized) for r in results)
    # A refused key leaves nothing behind: a flood of random keys cannot grow memory.
    assert hash_secret(wrong) not in authenticator._cache
    assert authenticator._cache._loading == {}
