"""The admin console's static assets at /console/ on the local gateway (SPEC §17).

In AWS, CloudFront serves the same files from a private S3 bucket and sends the same
headers (template.yaml, ConsoleResponseHeaders). The Content-Security-Policy allows
images and frames only from the origin of the KYC documents' short-lived links: locally
the embedded AWS's (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit

CONSOLE_DIR = Path(__file__).resolve().parents[2] / "console"
PREFIX = "/console"

Answer = tuple[int, list[tuple[str, str]], bytes]


def documents_origin() -> str:
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or ""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(documents: str) -> str:
    """SPEC §17's policy; without a documents origin, no image or frame source but 'self'."""
    images = f"'self' {documents}" if documents else "'self'"
    frames = documents or "'none'"
    return f"default-src 'self'; img-src {images}; frame-src {frames}; frame-ancestors 'none'"


def page_headers(content_type: str) -> list[tuple[str, str]]:
    return [("content-type", content_type),
            ("content-security-policy", content_security_policy(documents_origin())),
            ("x-content-type-options", "nosniff"),
            ("strict-transport-security", "max-age=31536000; includeSubDomains"),
            ("referrer-policy", "no-referrer"), ("cache-control", "no-cache")]


def console_asset(method: str, path: str) -> Answer | None:
    """The answer for /console and everything under it; None for any other path."""
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return None
    if method not in ("GET", "HEAD"):
        return 405, [("content-type", "application/json"), ("allow", "GET, HEAD")], \
            b'{"error": {"code": "METHOD_NOT_ALLOWED", "message": "static files are read only"}}'
    if path == PREFIX:
        return 301, [("location", PREFIX + "/")], b""
    name = path[len(PREFIX) + 1:] or "index.html"
    target = (CONSOLE_DIR / name).resolve()
    if CONSOLE_DIR not in target.parents or not target.is_file():
        return 404, [("content-type", "application/json")], \
            b'{"error": {"code": "NOT_FOUND", "message": "no such file"}}'
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "text/javascript"):
        kind += "; charset=utf-8"
    return 200, page_headers(kind), target.read_bytes()
