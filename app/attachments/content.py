"""What a file really is (by its first bytes, never its name) and photos without their metadata.

Photos from phones carry EXIF: the camera, the time, and often GPS coordinates of the reporter's
home. Re-encoding through Pillow keeps the pixels (turned upright first) and drops EXIF, XMP,
GPS, ICC profiles and comments: the decoded image's `info` is emptied before `save`, because
Pillow writes some of it back on its own (a JPEG's COM comment survived re-encoding that way).
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

# A 40-megapixel photo is generous; anything bigger is a decompression bomb, not a complaint.
MAX_PIXELS = 40_000_000

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
ALLOWED_TYPES = (*IMAGE_TYPES, "application/pdf")


class UnsupportedContent(ValueError):
    pass


def sniff(data: bytes) -> str | None:
    """The media type the bytes declare by their magic number, if it is one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class Cleaned:
    content_type: str
    data: bytes


def clean(data: bytes) -> Cleaned:
    """Check the content and strip photo metadata; raises UnsupportedContent."""
    kind = sniff(data)
    if kind is None:
        raise UnsupportedContent("not a JPEG, PNG, WebP or PDF file")
    if kind not in IMAGE_TYPES:
        return Cleaned(kind, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise UnsupportedContent("the image has too many pixels")
                image = ImageOps.exif_transpose(probe)
                image.load()
    except UnsupportedContent:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise UnsupportedContent("the image is damaged or not what it claims to be") from exc
    fmt = IMAGE_TYPES[kind]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Only transparency is pixels; everything else read from the file is metadata.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    out = io.BytesIO()
    # No exif=, no pnginfo=, no icc/xmp/comment: nothing but pixels is written.
    image.save(out, format=fmt, quality=90) if fmt != "PNG" else image.save(out, format=fmt)
    return Cleaned(kind, out.getvalue())
