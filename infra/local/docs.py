"""Local-only extras of the gateway: GET /openapi.json and Swagger UI at GET /docs.

The document is generated from the running code (infra.openapi), once per process.
Swagger UI's assets come from the pinned `swagger-ui-bundle-v2` package (no CDN is
reachable offline); without it /docs is a minimal page linking to /openapi.json.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

Answer = tuple[int, list[tuple[str, str]], bytes]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Khadamat API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>
"""
_FALLBACK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Khadamat API</title></head>
<body><p>Swagger UI assets are not installed (pip package swagger-ui-bundle-v2).
The document is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>
"""


@functools.lru_cache(maxsize=1)
def openapi_json() -> bytes:
    from infra.openapi import build_document, render

    return render(build_document()).encode("utf-8")


def _assets_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def local_extra(method: str, path: str) -> Answer | None:
    """The answer for /openapi.json, /docs and its assets; None for any other request."""
    if method not in ("GET", "HEAD"):
        return None
    if path == "/openapi.json":
        return 200, [("content-type", "application/json")], openapi_json()
    assets = _assets_dir()
    if path in ("/docs", "/docs/"):
        page = _PAGE if assets else _FALLBACK_PAGE
        return 200, [("content-type", "text/html; charset=utf-8")], page.encode("utf-8")
    if assets and path.startswith("/docs/"):
        name = path[len("/docs/"):]
        if name in ("swagger-ui.css", "swagger-ui-bundle.js") and (assets / name).is_file():
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return 200, [("content-type", kind)], (assets / name).read_bytes()
    return None
