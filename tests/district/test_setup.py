"""setup-district and export-district as a deployment runs them: real processes, a real database.

The first test follows the README's "Setting up a new district" checklist step by step.
"""

import re
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.test_cli import ROOT, _cli

EXAMPLE = ROOT / "docs" / "district.example.yaml"
ADMIN_PASSWORD = "kata sandi admin kupang 2026"


def _secrets(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^  (.+?): (\S+)$", stdout, flags=re.MULTILINE))


def _body(text: str) -> str:
    """The file without its leading comment block."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


async def test_the_checklist_ends_with_a_complaint_routed_to_the_right_liaison(
    client: httpx.AsyncClient, database_url: str
) -> None:
    planned = _cli(database_url, "setup-district", str(EXAMPLE), "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "create    agency DPUPR\n" in planned.stdout
    assert (
        "create    liaison DPUPR: primary Ir. Fransiskus Tefa from 2026-01-05\n" in planned.stdout
    )
    assert "create    client Aplikasi Kupang Warga\n" in planned.stdout
    assert planned.stdout.endswith(
        "dry run, nothing written: would create 19, update 0; 0 unchanged\n"
    )
    assert "lpk_" not in planned.stdout  # a key that was never stored is never shown
    nothing = _cli(database_url, "export-district", "53.71")
    assert (nothing.returncode, nothing.stderr) == (1, "error: No jurisdiction with code 53.71.\n")

    made = _cli(
        database_url, "setup-district", str(EXAMPLE), LAPOR_PASSWORD_ADMIN_KUPANG=ADMIN_PASSWORD
    )
    assert made.returncode == 0, made.stderr
    assert "53.71: created 19, updated 0; 0 unchanged\n" in made.stdout
    shown = _secrets(made.stdout)
    assert set(shown) == {"key of Aplikasi Kupang Warga", "password of liaison.pupr"}
    assert ADMIN_PASSWORD not in made.stdout + made.stderr

    again = _cli(database_url, "setup-district", str(EXAMPLE))
    assert again.returncode == 0, again.stderr
    assert again.stdout.endswith(f"nothing to change: 53.71 already matches {EXAMPLE}\n")
    assert "create" not in again.stdout
    assert "lpk_" not in again.stdout
    # What export-district writes back is the example itself, less its comments.
    assert _cli(database_url, "export-district", "53.71").stdout == _body(EXAMPLE.read_text())

    app_key = {"Authorization": f"Bearer {shown['key of Aplikasi Kupang Warga']}"}
    created = await client.post(
        "/v1/complaints",
        json={
            "channel": "mobile_app",
            "text": "Jalan rusak dan berlubang di depan pasar Oeba, dua bulan belum diperbaiki",
            "reporter": {"name": "Yosef", "phone": "081234567890"},
        },
        headers=app_key,
    )
    assert created.status_code == 201, created.text
    login = await client.post(
        "/v1/auth/token", data={"username": "admin.kupang", "password": ADMIN_PASSWORD}
    )
    assert login.status_code == 200, login.text
    as_admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    cid = created.json()["id"]
    verified = await client.post(
        f"/v1/complaints/{cid}/verify", json={"type": "field_inspection"}, headers=as_admin
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["agency"]["code"] == "DPUPR"
    events = (await client.get(f"/v1/complaints/{cid}/events", headers=as_admin)).json()
    dispatched = events["items"][-1]["data"]
    assert dispatched["routed_by"] == "rule"
    assert dispatched["liaison"]["name"] == "Ir. Fransiskus Tefa"

    # With the regions loaded, the kecamatan's own rule takes the rubbish of its area.
    loaded = _cli(database_url, "load-regions", "--jurisdiction", "53.71")
    assert loaded.returncode == 0, loaded.stderr
    rubbish = await client.post(
        "/v1/complaints",
        json={
            "channel": "mobile_app",
            "text": "Sampah menumpuk di pinggir jalan dekat gereja, sudah seminggu",
            "location": {"address": "Kel. Liliba, Kec. Oebobo"},
        },
        headers=app_key,
    )
    assert rubbish.status_code == 201, rubbish.text
    verified = await client.post(
        f"/v1/complaints/{rubbish.json()['id']}/verify",
        json={"type": "field_inspection"},
        headers=as_admin,
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["agency"]["code"] == "KEC-OEBOBO"

    # The liaison logs in with the password printed once, and finds the complaint.
    login = await client.post(
        "/v1/auth/token",
        data={"username": "liaison.pupr", "password": shown["password of liaison.pupr"]},
    )
    assert login.status_code == 200, login.text
    as_liaison = {"Authorization": f"Bearer {login.json()['access_token']}"}
    listed = (await client.get("/v1/complaints", headers=as_liaison)).json()["items"]
    assert [c["id"] for c in listed] == [cid]


RICH = """\
jurisdiction:
  code: '53.10'
  name: Kabupaten Sikka
  timezone: Asia/Makassar
agencies:
- code: BAPPEDA
  name: Badan Perencanaan Pembangunan Daerah
  kind: badan
  active: false
- code: BID-JALAN
  name: Bidang Bina Marga
  kind: bagian
  parent: PUPR
  liaisons:
  - role: primary
    name: Yustina Mbete
    valid_from: 2025-01-02
    valid_to: 2026-06-30
  - role: primary
    name: Petrus Keupung
    decree_number: 800/77/2026
    valid_from: 2026-07-01
    phone: '0382 21001'
- code: KEC-ALOK
  name: Kecamatan Alok
  kind: kecamatan
  region_code: 53.10.08
- code: PUPR
  name: Dinas Pekerjaan Umum dan Penataan Ruang
  kind: dinas
  head_email: kadis.pupr@sikkakab.example
categories:
- code: infrastruktur
  name: Infrastruktur
  default_agency: PUPR
- code: jalan
  name: Jalan dan jembatan
  parent: infrastruktur
  default_agency: BID-JALAN
  default_type: field_inspection
- code: lama
  name: Kategori lama
  active: false
rules:
- name: Jalan lewat SMS ke Bina Marga
  position: 5
  agency: BID-JALAN
  category: jalan
  channel: sms_1708
- name: Alok ke kecamatan
  position: 10
  agency: KEC-ALOK
  region_prefix: 53.10.08
  active: false
people:
- username: operator.sikka
  role: operator
- username: pengawas.sikka
  role: supervisor
  display_name: Inspektorat Sikka
  email: inspektorat@sikkakab.example
clients:
- name: Sistem Bina Marga
  role: agency_system
  agency: BID-JALAN
- name: SMS 1708
  role: channel_gateway
"""


async def test_export_then_setup_on_a_fresh_database_gives_the_same_file(
    engine: AsyncEngine, database_url: str, scratch_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "sikka.yaml"
    source.write_text(RICH)
    assert _cli(database_url, "setup-district", str(source)).returncode == 0
    exported = tmp_path / "exported.yaml"
    done = _cli(database_url, "export-district", "53.10", "-o", str(exported))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    text = exported.read_text()
    assert "password" not in text
    assert "lpk_" not in text

    assert _cli(scratch_url, "migrate").returncode == 0
    fresh = _cli(scratch_url, "setup-district", str(exported))
    assert fresh.returncode == 0, fresh.stderr
    assert _cli(scratch_url, "export-district", "53.10").stdout == text
    # Parents come first whatever the order (BID-JALAN is listed before PUPR), and the order of
    # the export is the same however the file was ordered.
    assert text.index("code: BAPPEDA") < text.index("code: BID-JALAN") < text.index("code: PUPR")


async def test_a_changed_file_updates_only_what_changed(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    assert _cli(database_url, "setup-district", str(EXAMPLE)).returncode == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        EXAMPLE.read_text()
        .replace("kepala.pupr@kupangkota.example", "kadis.pupr@kupangkota.example")
        .replace(
            "188.45/12/2026\n    valid_from: 2026-01-05\n",
            "188.45/12/2026\n    valid_from: 2026-01-05\n    valid_to: 2026-12-31\n",
        )
        .replace("  - selokan\n", "  - selokan\n  - gorong-gorong\n")
        .replace("  role: liaison\n  agency: DPUPR\n", "  role: admin\n")
    )
    planned = _cli(database_url, "setup-district", str(changed), "--dry-run")
    ran = _cli(database_url, "setup-district", str(changed))
    assert ran.returncode == 0, ran.stderr
    updates = [line for line in ran.stdout.splitlines() if line.startswith("update")]
    assert updates == [
        "update    liaison DINSOS: primary Maria Goreti Lake from 2026-01-05 (valid_to)",
        "update    agency DPUPR (head_email)",
        "update    rule Jalan, jembatan, saluran ke DPUPR (keywords)",
        "update    person liaison.pupr (role, agency)",
    ]
    assert "53.71: created 0, updated 4; 15 unchanged" in ran.stdout
    assert planned.stdout.splitlines()[:-1] == ran.stdout.splitlines()[:-1]
    assert _cli(database_url, "export-district", "53.71").stdout == _body(changed.read_text())


async def test_one_refused_item_writes_nothing_at_all(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    # Everything before the last item is fine; the API refuses an area outside the district.
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text().replace("  region_code: 53.71.04\n", "  region_code: 53.10.08\n", 1)
    )
    ran = _cli(database_url, "setup-district", str(bad))
    assert ran.returncode == 1
    assert ran.stderr == (
        f"error: {bad}: agencies[3].region_code: Not a region of jurisdiction 53.71.\n"
    )
    assert ran.stdout == ""
    assert (
        "No jurisdiction with code 53.71" in _cli(database_url, "export-district", "53.71").stderr
    )


async def test_what_a_run_cannot_change_is_refused_with_its_path(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    assert _cli(database_url, "setup-district", str(EXAMPLE)).returncode == 0
    moved = tmp_path / "moved.yaml"
    moved.write_text(
        EXAMPLE.read_text()
        .replace("timezone: Asia/Makassar", "timezone: Asia/Jakarta")
        .replace("  role: citizen_app\n", "  role: hub\n")
    )
    ran = _cli(database_url, "setup-district", str(moved))
    assert ran.returncode == 1
    assert ran.stderr == (
        f"error: {moved}: jurisdiction.timezone: 53.71 has 'Asia/Makassar'; setup-district "
        "does not change an existing jurisdiction's name or time zone\n"
    )
    moved.write_text(EXAMPLE.read_text().replace("  role: citizen_app\n", "  role: hub\n"))
    ran = _cli(database_url, "setup-district", str(moved))
    assert ran.returncode == 1
    assert ran.stderr.startswith(
        f"error: {moved}: clients[0]: Client Aplikasi Kupang Warga exists with role citizen_app"
    )
