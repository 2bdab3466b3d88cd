"""The shipped schema check catches what the sitemaps.org schema forbids."""

import pytest
import xmlschema

from tests.infra.sitemap_schema import validate_sitemap

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def test_a_valid_sitemap_passes():
    validate_sitemap(f'<urlset xmlns="{NS}"><url><loc>https://khadamat.ma/pro/1</loc>'
                     f'<lastmod>2026-12-01T10:00:00+00:00</lastmod></url></urlset>'.encode())


@pytest.mark.parametrize("body", [
    f'<urlset xmlns="{NS}"></urlset>',  # at least one url
    f'<urlset xmlns="{NS}"><url><lastmod>2026-12-01</lastmod></url></urlset>',  # loc required
    f'<urlset xmlns="{NS}"><url><loc>https://khadamat.ma/</loc><lastmod>hier</lastmod></url></urlset>',
    '<urlset><url><loc>https://khadamat.ma/</loc></url></urlset>',  # the namespace is required
])
def test_what_the_schema_forbids_fails(body):
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate_sitemap(body.encode())
