"""The README's story on the demo seed: a rough complaint is classified, routed, escalated."""

import uuid

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts import service as accounts
from app.accounts.models import User
from app.kernel.config import Settings
from app.seed import seed_demo


async def test_demo_seed_routes_a_rough_complaint_to_the_valid_liaison(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessions() as session, session.begin():
        creds = await seed_demo(session)
        admin = await session.scalar(select(User).where(User.username == "admin.ngawi"))
        assert admin is not None
    token = accounts.issue_token(settings, admin)[0]
    as_admin = {"Authorization": f"Bearer {token}"}
    as_citizen = {"Authorization": f"Bearer {creds.api_keys['citizen_app']}"}

    created = await client.post(
        "/v1/complaints",
        json={
            "channel": "mobile_app",
            "text": "jln dkt balai desa beraan rusak parah, byk lubang, sdh 2 bln blm diperbaiki",
            "location": {"address": "ds. Beraan kec. ngawi"},
        },
        headers=as_citizen,
    )
    assert created.status_code == 201, created.text
    assert created.json()["suggested_type"] == "field_inspection"
    cid = created.json()["id"]

    verified = await client.post(
        f"/v1/complaints/{cid}/verify", json={"type": "field_inspection"}, headers=as_admin
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["agency"]["code"] == "DPUPR"
    assert verified.json()["location"]["region_code"] == "35.21.09.2006"
    events = (await client.get(f"/v1/complaints/{cid}/events", headers=as_admin)).json()
    dispatched = events["items"][-1]["data"]
    assert dispatched["routed_by"] == "category_default"
    assert dispatched["category_source"] == "suggestion"
    # DPUPR's primary appointment ended 2025-12-31: the deputy is told.
    assert dispatched["liaison"]["name"] == "Rina Wulandari, S.T."
    assert dispatched["liaison"]["role"] == "deputy"

    # Lighting goes by the first rule, to Dishub.
    lamp = await client.post(
        "/v1/complaints",
        json={"channel": "sms_1708", "text": "pju di jln raya paron mati, gelap bgt"},
        headers=as_citizen,
    )
    routed = await client.post(
        f"/v1/complaints/{lamp.json()['id']}/verify",
        json={"type": "field_inspection"},
        headers=as_admin,
    )
    assert routed.json()["agency"]["code"] == "DISHUB"

    # Escalation is scheduled: a due-soon reminder and an overdue escalation for its deadline.
    async with sessions() as session:
        kinds = (
            await session.scalars(
                text(
                    "SELECT payload->>'kind' FROM outbox_messages WHERE complaint_id = :c"
                    " AND topic = 'timer' ORDER BY available_at"
                ),
                {"c": uuid.UUID(cid)},
            )
        ).all()
    assert kinds == ["verification_overdue", "due_soon", "overdue"]

    # The seed is idempotent: a second run only issues fresh keys.
    async with sessions() as session, session.begin():
        await seed_demo(session)
    agencies = (await client.get("/v1/agencies", headers=as_admin)).json()["items"]
    assert len(agencies) == 7
    assert {a["code"]: a["current_liaison"] is None for a in agencies}["DINKES"] is True
