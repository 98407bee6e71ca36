"""GET / and /static/{name}: the practice page, plain files that use only the public REST API.

The page needs no API key itself (its /v1 calls send the one the user enters). Its files are package
data (api/static/), read through importlib.resources, so a non-editable install serves them too.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Everything comes from this server: no CDN, no inline script, no third-party request of any kind.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def _static_files() -> dict[str, tuple[bytes, str]]:
    """name -> (content, media type) of every servable file in api/static/ (a fixed set: no traversal)."""
    folder = files("api").joinpath("static")
    return {
        entry.name: (entry.read_bytes(), MEDIA_TYPES[suffix])
        for entry in folder.iterdir()
        if entry.is_file() and (suffix := "." + entry.name.rpartition(".")[2]) in MEDIA_TYPES
    }


def _serve(name: str) -> Response:
    found = _static_files().get(name)
    if found is None:
        raise HTTPException(status_code=404)
    content, media_type = found
    return Response(content, media_type=media_type, headers=SECURITY_HEADERS)


@router.api_route("/", methods=["GET", "HEAD"])
async def practice_page() -> Response:
    """The practice page."""
    return _serve("index.html")


@router.api_route("/static/{name}", methods=["GET", "HEAD"])
async def static_file(name: str) -> Response:
    """A file of the page (script, style sheet, icon)."""
    return _serve(name)
