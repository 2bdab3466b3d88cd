"""GET /sitemap.xml (SPEC §20): the public pages the website builds from this API.

Each listed pro (an ACTIVE pro with at least one service: its first service's discovery
partition holds it exactly once) → /pro/<id>; each published article → /blog/<slug>; with
``lastmod``. One Query per city × category partition and per page of articles: the cost
grows with what is listed, never with the table. Written with the standard library's
ElementTree, in the sitemaps.org 0.9 namespace.
"""

from __future__ import annotations

import os
from xml.etree import ElementTree

from khadamat.dal import articles as articles_dal
from khadamat.dal.base import PageScope
from khadamat.dal.pros import listing_partition
from khadamat.dal.users import UserItem
from khadamat.domain.accounts import UserStatus
from khadamat.domain.reference import CATEGORY_IDS, CITY_IDS
from khadamat.domain.timeutil import from_storage, to_local_iso

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
DEFAULT_BASE_URL = "https://khadamat.ma"
MAX_URLS = 50_000  # the protocol's limit per file


def base_url() -> str:
    return (os.environ.get("SITE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def _listed_pros() -> list[UserItem]:
    pros: dict[str, UserItem] = {}
    for city_id in CITY_IDS:
        for category_id in CATEGORY_IDS:
            for pro in UserItem.by_first_listing.query(listing_partition(city_id, category_id)):
                if pro.status == UserStatus.ACTIVE:
                    pros[pro.user_id] = pro
    return list(pros.values())


# the sitemap pages through every published article itself (its tokens never leave the function)
_ALL_PUBLISHED = PageScope("sitemap", None)


def _published_articles() -> list[articles_dal.ArticleItem]:
    found, token = [], None
    while True:
        page, token = articles_dal.published(None, None, None, token, _ALL_PUBLISHED)
        found += page
        if not token:
            return found


def _lastmod(stored: str | None) -> str | None:
    return to_local_iso(from_storage(stored)) if stored else None


def render() -> bytes:
    root = ElementTree.Element("urlset", xmlns=NAMESPACE)
    base = base_url()
    entries: list[tuple[str, str | None]] = [(f"{base}/", None)]  # the schema wants ≥ 1 url
    entries += [(f"{base}/pro/{pro.user_id}", pro.updated_at or pro.created_at) for pro in _listed_pros()]
    entries += [(f"{base}/blog/{article.slug}", article.updated_at) for article in _published_articles()]
    for location, modified in entries[:MAX_URLS]:
        url = ElementTree.SubElement(root, "url")
        ElementTree.SubElement(url, "loc").text = location
        if lastmod := _lastmod(modified):
            ElementTree.SubElement(url, "lastmod").text = lastmod
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
