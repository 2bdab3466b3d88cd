"""Articles of the SEO site (SPEC §20): slugs, Markdown rendering and sanitising.

Markdown is rendered by markdown-it-py (CommonMark, raw HTML off) and the result is
sanitised by nh3 (Ammonia): no script, no event attributes, only http(s)/mailto links,
and every link gets rel="nofollow noopener".
"""

from __future__ import annotations

import re
from enum import StrEnum

from khadamat.domain.errors import Unprocessable

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
LINK_REL = "nofollow noopener"
ALLOWED_TAGS = {"a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code",
                "pre", "blockquote", "ul", "ol", "li", "img", "table", "thead", "tbody", "tr",
                "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}


class ArticleStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"


def parse_status(raw: str) -> ArticleStatus:
    if raw not in ArticleStatus.__members__:
        raise Unprocessable(f"status must be one of {', '.join(ArticleStatus)}")
    return ArticleStatus(raw)


def slug_for(title: str, given: str | None) -> str:
    """The given slug (already lowercase ASCII with hyphens, else 422) or one made from the
    title, accents folded (« Réparer une fuite d'eau » → « reparer-une-fuite-d-eau »)."""
    if given is not None:
        if not SLUG_PATTERN.fullmatch(given) or len(given) > MAX_SLUG_LENGTH:
            raise Unprocessable("slug must be lowercase ASCII letters and digits joined by hyphens")
        return given
    from slugify import slugify

    slug = slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    if not slug:
        raise Unprocessable("the title gives no slug: give one")
    return slug


def render_markdown(markdown: str) -> str:
    import nh3
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=LINK_REL)
