"""`make run` prints a login for each person and a key for each machine role: they must work."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.seed import MACHINES, PEOPLE, seed_demo


async def test_every_printed_demo_login_and_key_works(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        first = await seed_demo(session)
    assert sorted(r for r, _ in first.usernames) == sorted(r for _, r, _ in PEOPLE)
    assert sorted(first.api_keys) == sorted(r for _, r, _ in MACHINES)
    for role, username in first.usernames:
        login = await client.post(
            "/v1/auth/token", data={"username": username, "password": first.password}
        )
        assert login.status_code == 200, (role, login.text)
        token = login.json()["access_token"]
        listed = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, role
        if role == "admin":
            agencies = await client.get(
                "/v1/agencies", headers={"Authorization": f"Bearer {token}"}
            )
            areas = {a["code"]: a["region_code"] for a in agencies.json()["items"]}
            assert areas["KEC-NGAWI"] == "35.21.09"  # the area office serves its kecamatan
            assert areas["DPUPR"] is None
    async with sessions() as session, session.begin():
        second = await seed_demo(session)  # the next `make run`: fresh keys, old ones revoked
    for role, key in second.api_keys.items():
        answer = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, role
        stale = first.api_keys[role]
        old = await client.get("/v1/complaints", headers={"Authorization": f"Bearer {stale}"})
        assert old.status_code == 401, role
