"""The demo jurisdiction: Kabupaten Ngawi (35.21, WIB) with real agencies, people and apps."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import ApiKey, Client, User
from app.jurisdictions.models import Jurisdiction
from app.jurisdictions.service import create_jurisdiction
from app.routing import regions_service
from app.routing.models import Agency, Category, Liaison, RoutingRule

NGAWI = ("35.21", "Kabupaten Ngawi", "Asia/Jakarta")

AGENCIES = [
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "dinas"),
    ("DLH", "Dinas Lingkungan Hidup", "dinas"),
    ("DINSOS", "Dinas Sosial", "dinas"),
    ("DISPENDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas"),
    ("DINKES", "Dinas Kesehatan", "dinas"),
    ("DISHUB", "Dinas Perhubungan", "dinas"),
    ("KEC-NGAWI", "Kecamatan Ngawi", "kecamatan"),
]
# Area offices serve a region: learned routing sends them their village matters by region.
AREAS = {"KEC-NGAWI": "35.21.09"}

CATEGORIES = [
    ("infrastruktur", "Infrastruktur (jalan, jembatan, drainase)", "DPUPR", "field_inspection"),
    ("lingkungan", "Lingkungan hidup dan sampah", "DLH", "field_inspection"),
    ("bansos", "Bantuan sosial", "DINSOS", "non_field"),
    ("adminduk", "Administrasi kependudukan (KTP, KK, akta)", "DISPENDUKCAPIL", "non_field"),
    ("kesehatan", "Layanan kesehatan", "DINKES", "non_field"),
    ("perhubungan", "Perhubungan dan lampu jalan", "DISHUB", "field_inspection"),
]

# fmt: off
# (agency, role, name, e-mail, decree, valid from, valid to): DPUPR's primary appointment has
# lapsed, so its deputy is notified; DINKES has nobody valid, so the admins are told.
LIAISONS = [
    ("DPUPR", "primary", "Ir. Bambang Sutrisno", "bambang.pupr@ngawikab.example", "188/45/2024",
     date(2024, 1, 2), date(2025, 12, 31)),
    ("DPUPR", "deputy", "Rina Wulandari, S.T.", "rina.pupr@ngawikab.example", "188/46/2026",
     date(2026, 1, 2), None),
    ("DLH", "primary", "Agus Prasetyo", "agus.dlh@ngawikab.example", "188/51/2026",
     date(2026, 1, 2), None),
    ("DINSOS", "primary", "Sri Handayani", "sri.dinsos@ngawikab.example", "188/52/2026",
     date(2026, 1, 2), None),
    ("DISPENDUKCAPIL", "primary", "Dwi Cahyono", "dwi.capil@ngawikab.example", "188/53/2026",
     date(2026, 1, 2), None),
    ("DINKES", "primary", "dr. Lestari", "lestari.dinkes@ngawikab.example", "188/40/2023",
     date(2023, 1, 2), date(2025, 6, 30)),
    ("DISHUB", "primary", "Hendra Kurniawan", "hendra.dishub@ngawikab.example", "188/54/2026",
     date(2026, 1, 2), None),
    ("KEC-NGAWI", "primary", "Yusuf Efendi", "yusuf.kecngawi@ngawikab.example", "188/60/2026",
     date(2026, 1, 2), None),
]

# (position, name, agency, keywords, region prefix): checked in order, the first match wins.
RULES: list[tuple[int, str, str, list[str], str | None]] = [
    (10, "Lampu jalan dan PJU ke Dishub", "DISHUB", ["lampu jalan", "lampu merah"], None),
    (20, "Sampah di Kecamatan Ngawi ke kecamatan", "KEC-NGAWI", ["sampah"], "35.21.09"),
    (30, "Sampah dan limbah ke DLH", "DLH", ["sampah", "limbah", "pencemaran"], None),
    (40, "Jalan, jembatan, saluran ke DPUPR", "DPUPR",
     ["jalan rusak", "berlubang", "jembatan", "drainase", "selokan"], None),
    (50, "Dokumen kependudukan ke Dispendukcapil", "DISPENDUKCAPIL",
     ["ktp", "kartu keluarga", "akta"], None),
]
# fmt: on

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, never in production
PEOPLE: list[tuple[str, str, str | None]] = [
    ("admin.ngawi", "admin", None),
    ("inspektorat.ngawi", "supervisor", None),
    ("liaison.pupr", "liaison", "DPUPR"),
    ("liaison.dlh", "liaison", "DLH"),
    ("operator.callcenter", "operator", None),
]
MACHINES: list[tuple[str, str, str | None]] = [
    ("Demo citizen app", "citizen_app", None),
    ("SP4N-LAPOR! hub", "hub", None),
    ("SMS 1708 gateway", "channel_gateway", None),
    ("Sistem DPUPR", "agency_system", "DPUPR"),
]


async def _routing(
    session: AsyncSession, jurisdiction_id: Any, agencies: dict[str, Agency]
) -> None:
    """Liaisons, agency heads, routing rules and Ngawi's regions."""
    for code, agency in agencies.items():
        agency.head_email = f"kepala.{code.lower()}@ngawikab.example"
    for code, role, name, email, decree, valid_from, valid_to in LIAISONS:
        session.add(
            Liaison(
                agency_id=agencies[code].id,
                role=role,
                name=name,
                email=email,
                decree_number=decree,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    for position, name, code, keywords, region in RULES:
        session.add(
            RoutingRule(
                jurisdiction_id=jurisdiction_id,
                position=position,
                name=name,
                agency_id=agencies[code].id,
                keywords=keywords,
                region_prefix=region,
            )
        )
    await regions_service.load(session, NGAWI[0])


@dataclass(frozen=True)
class DemoCredentials:
    password: str
    usernames: list[tuple[str, str]]  # (role, username)
    api_keys: dict[str, str]  # role -> key (fresh on every seed: only hashes are stored)


async def seed_demo(session: AsyncSession) -> DemoCredentials:
    """Create the demo once; on later runs only issue fresh demo keys."""
    jur = await session.scalar(select(Jurisdiction).where(Jurisdiction.code == NGAWI[0]))
    if jur is None:
        jur = await create_jurisdiction(session, *NGAWI)
        agencies = {}
        for code, name, kind in AGENCIES:
            agency = Agency(
                jurisdiction_id=jur.id, code=code, name=name, kind=kind, region_code=AREAS.get(code)
            )
            session.add(agency)
            agencies[code] = agency
        await session.flush()
        for code, name, category_agency, default_type in CATEGORIES:
            session.add(
                Category(
                    jurisdiction_id=jur.id,
                    code=code,
                    name=name,
                    default_agency_id=agencies[category_agency].id,
                    default_type=default_type,
                )
            )
        for username, role, agency_code in PEOPLE:
            agency_id = agencies[agency_code].id if agency_code else None
            await accounts.create_user(
                session,
                jur.id,
                username,
                DEMO_PASSWORD,
                role,
                agency_id,
                email=f"{username}@ngawikab.example",
            )
        await _routing(session, jur.id, agencies)
        for name, role, agency_code in MACHINES:
            agency_id = agencies[agency_code].id if agency_code else None
            await accounts.create_client(session, jur.id, name, role, agency_id)
    clients = (await session.scalars(select(Client).where(Client.jurisdiction_id == jur.id))).all()
    keys: dict[str, str] = {}
    for client in clients:
        # Demo keys are reissued each run (the old ones revoked): a key is shown only once.
        await session.execute(
            update(ApiKey)
            .where(ApiKey.client_id == client.id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
        keys[client.role] = (await accounts.issue_key(session, client.id)).token
    users = (await session.scalars(select(User).where(User.jurisdiction_id == jur.id))).all()
    people = sorted((u.role, u.username) for u in users)
    return DemoCredentials(DEMO_PASSWORD, people, keys)
