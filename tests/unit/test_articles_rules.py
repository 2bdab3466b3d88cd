"""Slugs and Markdown rendering of articles (SPEC §20)."""

import pytest

from khadamat.domain.articles import render_markdown, slug_for
from khadamat.domain.errors import Unprocessable


def test_slugs_fold_accents_and_keep_a_given_valid_slug():
    assert slug_for("Électricité : 5 erreurs à éviter", None) == "electricite-5-erreurs-a-eviter"
    assert slug_for("x", "mon-slug-2") == "mon-slug-2"
    for bad in ("Mon Slug", "été", "a--b", "-a", "a_b"):
        with pytest.raises(Unprocessable):
            slug_for("x", bad)


def test_rendered_html_has_no_script_no_event_attribute_and_nofollow_links():
    html = render_markdown("[a](https://x.ma) [b](javascript:alert(1)) <b onclick=x>c</b>\n\n"
                           "<script>alert(1)</script>")
    assert '<a href="https://x.ma" rel="nofollow noopener">a</a>' in html
    assert "javascript:" not in html.replace("[b](javascript:", "")  # never a live link
    assert "<script" not in html and "<b " not in html


def test_the_sanitiser_cleans_html_that_reaches_it():
    import nh3

    from khadamat.domain.articles import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL

    dirty = '<p onclick="x">t<script>1</script><a href="javascript:1">j</a><a href="https://k.ma">k</a></p>'
    clean = nh3.clean(dirty, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel=LINK_REL)
    assert clean == '<p>t<a rel="nofollow noopener">j</a><a href="https://k.ma" rel="nofollow noopener">k</a></p>'


def test_admin_name_search_folds_case_and_accents_and_shards_by_first_letter():
    from khadamat.dal.users import UserItem, fold_name, name_key_items, user_key

    assert fold_name("  ÉLOÏSE  Ben ") == "eloise ben"
    assert fold_name("Ahlâm Çherkaoui") == "ahlam cherkaoui"
    first, last = name_key_items(UserItem(*user_key("u1"), user_id="u1", role="CLIENT", status="ACTIVE",
                                          first_name="Éloïse", last_name="Benali", created_at="t"))
    assert (first.SK, first.GSI1PK, first.GSI1SK) == ("NAMEKEY#FIRST", "USERNAME#e", "eloise#u1")
    assert (last.SK, last.GSI1PK, last.GSI1SK) == ("NAMEKEY#LAST", "USERNAME#b", "benali#u1")
