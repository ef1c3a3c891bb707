"""The one Jinja2 environment, `render()`, static files and the HTML error page.

Autoescape everywhere and StrictUndefined: a template that names a value the route did not pass
fails the test that renders it instead of printing nothing to a citizen.
"""

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.web.timefmt import tanggal, waktu

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static"


class PackageLoader(BaseLoader):
    """ "pages/lacak.html" is app/pages/templates/lacak.html: each package keeps its own."""

    def __init__(self) -> None:
        self._loaders: dict[str, FileSystemLoader] = {}

    def get_source(self, environment: Environment, template: str) -> Any:
        package, _, rest = template.partition("/")
        if not package.isidentifier() or not rest:
            raise TemplateNotFound(template)
        if package not in self._loaders:
            self._loaders[package] = FileSystemLoader(APP_DIR / package / "templates")
        return self._loaders[package].get_source(environment, rest)


@cache
def static_url(name: str) -> str:
    """/static/<name>?v=<content hash>: served with a year's cache, so a new file needs a new
    URL, which the hash gives it whenever its bytes change."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_URL}/{name}?v={digest}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tanggal"] = tanggal
    env.filters["waktu"] = waktu
    env.globals["static"] = static_url
    return env


ENV = _environment()


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The template `name` with `context` (and `request`) as an HTML answer."""
    html = ENV.get_template(name).render({"request": request, **(context or {})})
    return HTMLResponse(html, status_code=status, headers=headers)


# What a person is told for each failure, in Indonesian; the API's code stays in the page too.
_ERROR_TITLES = {
    400: "Permintaan tidak dapat diproses",
    401: "Silakan masuk terlebih dahulu",
    403: "Anda tidak berhak membuka halaman ini",
    404: "Halaman tidak ditemukan",
    405: "Cara membuka halaman ini tidak didukung",
    413: "Kiriman terlalu besar",
    422: "Ada isian yang belum benar",
    429: "Terlalu banyak permintaan",
    503: "Layanan sedang tidak tersedia",
}
_ERROR_HINTS = {
    404: "Periksa kembali alamat atau nomor yang Anda masukkan.",
    413: "Perkecil lampiran atau teks Anda, lalu kirim ulang.",
    422: "Periksa kembali isian Anda, lalu kirim ulang.",
    429: "Tunggu sebentar, lalu coba lagi.",
    503: "Coba lagi dalam beberapa saat.",
}


def error_page(
    scope: Scope,
    status: int,
    code: str,
    details: list[dict[str, Any]],
    headers: dict[str, str] | None,
) -> Response:
    """The small Indonesian HTML page a page route's failure answers with (app/kernel/errors.py
    calls it for paths under PAGE_PREFIXES; the API keeps its JSON shape)."""
    html = ENV.get_template("web/error.html").render(
        status=status,
        code=code,
        title=_ERROR_TITLES.get(status, "Terjadi kesalahan"),
        hint=_ERROR_HINTS.get(status, "Coba lagi nanti."),
        fields=[str(d.get("field", "")) for d in details if d.get("field")],
    )
    return HTMLResponse(html, status_code=status, headers=headers)


class CachedStatic(StaticFiles):
    """Static files with a year's cache: every link carries the content hash (static_url)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def static_files() -> CachedStatic:
    return CachedStatic(directory=STATIC_DIR)
