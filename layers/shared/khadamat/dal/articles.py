"""Articles of the SEO site (SPEC §20) and their slugs.

Keys:
  ARTICLE#<id> / ARTICLE     the article (Markdown and its sanitised HTML, rendered at write time)
      GSI1 ARTICLESLUG#<slug> / ARTICLE      while PUBLISHED: GET /articles/{slug} is one Query
      GSI2 ARTICLES / <updatedAt>#<id>       the editor's list, newest first (drafts included)
      GSI3 ARTICLES_PUBLISHED / <publishedAt>#<id>   while PUBLISHED: the public list, newest first
  SLUG#<slug> / ARTICLE      uniqueness of a slug (points to the article), same transaction
Every write carries its audit entry in the same transaction (khadamat.dal.audit).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from khadamat.dal import audit as audit_log
from khadamat.dal.base import (GSI1, GSI2, GSI3, BaseItem, ItemRef, PageScope, connection, decode_page_token,
                               encode_page_token, get_or_none)
from khadamat.domain.errors import Conflict

EDITOR_INDEX_PK = "ARTICLES"
PUBLIC_INDEX_PK = "ARTICLES_PUBLISHED"


class ArticleItem(BaseItem):
    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    summary = UnicodeAttribute()
    body_markdown = UnicodeAttribute()
    body_html = UnicodeAttribute()
    cover_url = UnicodeAttribute(null=True)
    city_id = UnicodeAttribute(null=True)
    category_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    author_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)

    by_slug = GSI1()
    for_editor = GSI2()
    published = GSI3()


class SlugItem(BaseItem):
    article_id = UnicodeAttribute()


def article_key(article_id: str) -> tuple[str, str]:
    return f"ARTICLE#{article_id}", "ARTICLE"


class ArticleRef(ItemRef):
    """The article a request's path names (/admin/articles/{id})."""

    model = ArticleItem

    def item_key(self) -> tuple[str, str]:
        return article_key(self.id)


def slug_key(slug: str) -> tuple[str, str]:
    return f"SLUG#{slug}", "ARTICLE"


def index_keys(article_id: str, slug: str, status: str, updated_at: str,
               published_at: str | None) -> dict:
    public = status == "PUBLISHED"
    return {"GSI1PK": f"ARTICLESLUG#{slug}" if public else None, "GSI1SK": "ARTICLE" if public else None,
            "GSI2PK": EDITOR_INDEX_PK, "GSI2SK": f"{updated_at}#{article_id}",
            "GSI3PK": PUBLIC_INDEX_PK if public else None,
            "GSI3SK": f"{published_at}#{article_id}" if public else None}


def _slug_owner(slug: str) -> str | None:
    item = get_or_none(SlugItem, *slug_key(slug))
    return item.article_id if item else None


def save(article: ArticleItem, previous: ArticleItem | None, audit: BaseItem) -> None:
    """Create (``previous`` None) or replace an article, its slug item and its audit entry in
    one transaction, conditional on the article being as read: 409 SLUG_TAKEN when another
    article holds the slug, 409 INVALID_TRANSITION when the article changed meanwhile."""
    slug_moves = previous is None or previous.slug != article.slug
    try:
        with TransactWrite(connection=connection()) as tx:
            condition = (ArticleItem.PK.does_not_exist() if previous is None
                         else ArticleItem.updated_at == previous.updated_at)
            tx.save(article, condition=condition)
            if slug_moves:
                tx.save(SlugItem(*slug_key(article.slug), article_id=article.article_id),
                        condition=SlugItem.PK.does_not_exist())
                if previous is not None:
                    tx.delete(SlugItem(*slug_key(previous.slug)),
                              condition=SlugItem.article_id == article.article_id)
            audit_log.put_in(tx, audit)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        if slug_moves and _slug_owner(article.slug) not in (None, article.article_id):
            raise Conflict(f"the slug {article.slug} is taken", "SLUG_TAKEN") from error
        raise Conflict("the article changed meanwhile; reload it", "INVALID_TRANSITION") from error


def delete(article: ArticleItem, audit: BaseItem) -> None:
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.delete(ArticleItem(*article_key(article.article_id)),
                      condition=ArticleItem.updated_at == article.updated_at)
            tx.delete(SlugItem(*slug_key(article.slug)),
                      condition=SlugItem.article_id == article.article_id)
            audit_log.put_in(tx, audit)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("the article changed meanwhile; reload it", "INVALID_TRANSITION") from error
        raise


def published_by_slug(slug: str) -> ArticleItem | None:
    return next(iter(ArticleItem.by_slug.query(f"ARTICLESLUG#{slug}", limit=1)), None)


def for_editor(status: str | None, limit: int, next_token: str | None,
               scope: PageScope) -> tuple[list[ArticleItem], str | None]:
    result = ArticleItem.for_editor.query(
        EDITOR_INDEX_PK, filter_condition=(ArticleItem.status == status) if status else None,
        scan_index_forward=False, limit=limit, last_evaluated_key=decode_page_token(next_token, scope))
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)


def published(city_id: str | None, category_id: str | None, limit: int | None,
              next_token: str | None, scope: PageScope) -> tuple[list[ArticleItem], str | None]:
    condition = None
    if city_id:
        condition = ArticleItem.city_id == city_id
    if category_id:
        by_category = ArticleItem.category_id == category_id
        condition = by_category if condition is None else condition & by_category
    result = ArticleItem.published.query(PUBLIC_INDEX_PK, filter_condition=condition,
                                         scan_index_forward=False, limit=limit,
                                         last_evaluated_key=decode_page_token(next_token, scope))
    items = list(result)
    return items, encode_page_token(result.last_evaluated_key, scope)
