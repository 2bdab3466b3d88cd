"""Validation of /sitemap.xml against the sitemaps.org 0.9 schema, offline (the XSD is shipped
in tests/infra/data/sitemap.xsd; xmlschema validates)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

XSD = Path(__file__).parent / "data" / "sitemap.xsd"


@lru_cache(maxsize=1)
def _schema():
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def validate_sitemap(document: bytes) -> None:
    """Raises xmlschema's validation error when ``document`` breaks the schema."""
    from xml.etree import ElementTree

    _schema().validate(ElementTree.fromstring(document))
