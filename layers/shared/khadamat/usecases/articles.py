"""Articles (SPEC §20): written by admins in the console (audited), read by the public site."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from khadamat.dal import articles as dal
from khadamat.dal.base import PageScope
from khadamat.domain import articles as rules
from khadamat.domain.errors import NotFound, Unprocessable
from khadamat.domain.reference import CITY_IDS, CATEGORY_IDS
from khadamat.domain.timeutil import from_storage, to_local_iso, to_storage
from khadamat.usecases import audit


def _iso(stored: str | None) -> str | None:
    return to_local_iso(from_storage(stored)) if stored else None


def summary_view(item: dal.ArticleItem) -> dict:
    return {"id": item.article_id, "title": item.title, "slug": item.slug, "summary": item.summary,
            "coverUrl": item.cover_url, "cityId": item.city_id, "categoryId": item.category_id,
            "status": item.status, "createdAt": _iso(item.created_at),
            "updatedAt": _iso(item.updated_at), "publishedAt": _iso(item.published_at)}


def editor_view(item: dal.ArticleItem) -> dict:
    return {**summary_view(item), "bodyMarkdown": item.body_markdown, "bodyHtml": item.body_html}


def public_view(item: dal.ArticleItem) -> dict:
    view = summary_view(item)
    del view["status"]
    return view


def _audit_state(item: dal.ArticleItem | None) -> dict | None:
    return {"title": item.title, "slug": item.slug, "status": item.status} if item else None


def _check_references(city_id: str | None, category_id: str | None) -> None:
    if city_id is not None and city_id not in CITY_IDS:
        raise Unprocessable(f"cityId must be one of {', '.join(CITY_IDS)}")
    if category_id is not None and category_id not in CATEGORY_IDS:
        raise Unprocessable(f"categoryId must be one of {', '.join(CATEGORY_IDS)}")


def _build(article_id: str, fields: dict, author_id: str, now: str,
           previous: dal.ArticleItem | None) -> dal.ArticleItem:
    status = rules.parse_status(fields["status"])
    _check_references(fields.get("city_id"), fields.get("category_id"))
    slug = rules.slug_for(fields["title"], fields.get("slug") or (previous.slug if previous else None))
    published_at = (previous.published_at if previous and previous.published_at else now) \
        if status == rules.ArticleStatus.PUBLISHED else None
    return dal.ArticleItem(
        *dal.article_key(article_id), article_id=article_id, title=fields["title"], slug=slug,
        summary=fields["summary"], body_markdown=fields["body_markdown"],
        body_html=rules.render_markdown(fields["body_markdown"]), cover_url=fields.get("cover_url"),
        city_id=fields.get("city_id"), category_id=fields.get("category_id"), status=status,
        author_id=previous.author_id if previous else author_id,
        created_at=previous.created_at if previous else now, updated_at=now,
        published_at=published_at,
        **dal.index_keys(article_id, slug, status, now, published_at))


def create(actor_id: str, fields: dict, now: datetime) -> dict:
    article = _build(str(uuid.uuid4()), fields, actor_id, to_storage(now), None)
    entry = audit.entry(actor_id, "ARTICLE_CREATE", "ARTICLE", article.article_id, now,
                        after=_audit_state(article))
    dal.save(article, None, entry)
    return editor_view(article)


def _existing(article: dal.ArticleItem | None) -> dal.ArticleItem:
    if article is None:
        raise NotFound("no such article")
    return article


def update(actor_id: str, article_id: str, previous: dal.ArticleItem | None, fields: dict,
           now: datetime) -> dict:
    """``previous`` was read with the caller's account; the write is conditional on it."""
    previous = _existing(previous)
    article = _build(article_id, fields, actor_id, to_storage(now), previous)
    entry = audit.entry(actor_id, "ARTICLE_UPDATE", "ARTICLE", article_id, now,
                        before=_audit_state(previous), after=_audit_state(article))
    dal.save(article, previous, entry)
    return editor_view(article)


def delete(actor_id: str, article_id: str, article: dal.ArticleItem | None, now: datetime) -> None:
    article = _existing(article)
    entry = audit.entry(actor_id, "ARTICLE_DELETE", "ARTICLE", article_id, now,
                        before=_audit_state(article))
    dal.delete(article, entry)


def get_for_editor(article: dal.ArticleItem | None) -> dict:
    return editor_view(_existing(article))


def list_for_editor(admin, status: str | None, limit: int, next_token: str | None) -> dict:
    if status:
        rules.parse_status(status)
    scope = PageScope("GET /admin/articles", admin.user_id, {"status": status})
    items, token = dal.for_editor(status, limit, next_token, scope)
    return {"items": [summary_view(item) for item in items], "nextToken": token}


def list_published(city_id: str | None, category_id: str | None, limit: int,
                   next_token: str | None) -> dict:
    _check_references(city_id, category_id)
    scope = PageScope("GET /articles", None, {"cityId": city_id, "categoryId": category_id})
    items, token = dal.published(city_id, category_id, limit, next_token, scope)
    return {"items": [public_view(item) for item in items], "nextToken": token}


def published_article(slug: str) -> tuple[dict, str]:
    """The article and its ETag (a hash of exactly what is answered)."""
    article = dal.published_by_slug(slug)
    if article is None:
        raise NotFound("no such article")
    body = {**public_view(article), "bodyHtml": article.body_html}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    return body, f'"{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
