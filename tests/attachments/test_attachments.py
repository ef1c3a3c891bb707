"""Uploads: checked by content, photos without EXIF/GPS, readable only by who may see them."""

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageCms
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.attachments.content import clean
from app.kernel.config import Settings
from app.main import create_app
from tests.factories import World

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:20 08:00:00"  # DateTime
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (7.0, 24.0, 12.5), 3: "E", 4: (111.0, 26.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
async def upload_client(
    settings: Settings, engine: object, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(
            update={"attachments_dir": str(tmp_path / "files"), "max_attachment_bytes": 200_000}
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://desk.test") as c:
            yield c


def test_gps_exif_does_not_survive_cleaning() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    cleaned = clean(original)
    assert cleaned.content_type == "image/jpeg"
    out = Image.open(io.BytesIO(cleaned.data))
    assert out.size == (64, 48)
    assert not out.getexif()
    assert b"Exif" not in cleaned.data
    assert b"PhoneMaker" not in cleaned.data


async def _upload(
    client: httpx.AsyncClient, world: World, who: str, data: bytes, name: str = "foto.jpg"
) -> httpx.Response:
    return await client.post(
        "/v1/attachments", files={"file": (name, data, "image/jpeg")}, headers=world.h(who)
    )


async def test_photo_upload_attached_and_served_only_to_those_who_see_the_complaint(
    upload_client: httpx.AsyncClient, world: World
) -> None:
    up = await _upload(upload_client, world, "citizen_app", jpeg_with_gps())
    assert up.status_code == 201, up.text
    aid = up.json()["id"]
    mine = await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("citizen_app"))
    assert mine.status_code == 200
    assert not Image.open(io.BytesIO(mine.content)).getexif()
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("citizen_app_other"))
    ).status_code == 404
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("admin"))
    ).status_code == 404

    created = await upload_client.post(
        "/v1/complaints",
        json={"channel": "mobile_app", "text": "Jalan berlubang di Beran.", "attachments": [aid]},
        headers=world.h("citizen_app"),
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("admin"))
    ).status_code == 200
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("liaison"))
    ).status_code == 404
    await upload_client.post(
        f"/v1/complaints/{cid}/verify",
        json={"type": "non_field", "agency_id": str(world.agencies["DPUPR"])},
        headers=world.h("admin"),
    )
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("liaison"))
    ).status_code == 200
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("liaison_other"))
    ).status_code == 404
    assert (
        await upload_client.get(f"/v1/attachments/{aid}", headers=world.h("admin_kupang"))
    ).status_code == 404


async def test_someone_elses_upload_cannot_be_attached_and_nothing_is_created(
    upload_client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    aid = (await _upload(upload_client, world, "citizen_app", jpeg_with_gps())).json()["id"]
    r = await upload_client.post(
        "/v1/complaints",
        json={"channel": "mobile_app", "text": "Jalan berlubang.", "attachments": [aid]},
        headers=world.h("citizen_app_other"),
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_attachment"
    async with sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM complaints"))).scalar() == 0


async def test_type_is_judged_by_content_and_limits_hold(
    upload_client: httpx.AsyncClient, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    script = await _upload(
        upload_client, world, "citizen_app", b"#!/bin/sh\nrm -rf /\n", "foto.jpg"
    )
    assert (script.status_code, script.json()["error"]["code"]) == (415, "unsupported_media_type")
    broken = await _upload(upload_client, world, "citizen_app", b"\xff\xd8\xff\xe0garbage", "a.jpg")
    assert broken.status_code == 415
    empty = await _upload(upload_client, world, "citizen_app", b"", "a.jpg")
    assert empty.status_code == 422
    big = await _upload(upload_client, world, "citizen_app", b"%PDF-" + b"0" * 250_000, "a.pdf")
    assert big.status_code == 413
    pdf = await _upload(upload_client, world, "citizen_app", b"%PDF-1.4\n%%EOF\n", "surat.png")
    assert (pdf.status_code, pdf.json()["content_type"]) == (201, "application/pdf")
    no_file = await upload_client.post("/v1/attachments", headers=world.h("citizen_app"))
    assert no_file.status_code == 422
    anonymous = await upload_client.post("/v1/attachments", files={"file": ("a", b"%PDF-1")})
    assert anonymous.status_code == 401
    async with sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM attachments"))).scalar() == 1


def test_png_exif_chunk_and_text_do_not_survive() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (7.0, 24.0, 12.5)})
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS_IFD)
    cleaned = clean(out.getvalue())
    assert cleaned.content_type == "image/png"
    assert b"eXIf" not in cleaned.data
    assert not Image.open(io.BytesIO(cleaned.data)).getexif()


def _jpeg_segments(data: bytes) -> list[int]:
    """The marker of every segment before the image data (0xFE is COM, 0xE0-0xEF are APPn)."""
    markers, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        markers.append(marker)
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return markers


def test_jpeg_comment_icc_and_xmp_do_not_survive() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 30)).save(
        out,
        "JPEG",
        comment=b"Pelapor: Siti, Jl. Melati 4",
        icc_profile=icc,
        xmp=b"<x:xmpmeta>Pelapor: Siti</x:xmpmeta>",
    )
    original = out.getvalue()
    assert 0xFE in _jpeg_segments(original)  # the input carries a COM segment
    assert Image.open(io.BytesIO(original)).info["comment"]
    cleaned = clean(original).data
    assert b"Siti" not in cleaned
    assert [m for m in _jpeg_segments(cleaned) if m == 0xFE or 0xE1 <= m <= 0xEF] == []
    assert "comment" not in Image.open(io.BytesIO(cleaned)).info
    assert "icc_profile" not in Image.open(io.BytesIO(cleaned)).info


def test_webp_exif_icc_and_xmp_do_not_survive() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "WEBP", exif=exif, icc_profile=icc, xmp=b"Pelapor: Siti")
    cleaned = clean(out.getvalue()).data
    assert b"PhoneMaker" not in cleaned
    assert b"Siti" not in cleaned
    assert not {"exif", "icc_profile", "xmp"} & set(Image.open(io.BytesIO(cleaned)).info)
