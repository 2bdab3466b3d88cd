"""Admin API of the console (SPEC §17, §20): audit log, user search/detail, review moderation,
TOTP, articles and the sitemap — through the real handlers under moto."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import pyotp
import pytest

from khadamat.dal import audit as audit_dal
from khadamat.dal import bookings as bookings_dal
from khadamat.domain.timeutil import parse_timestamp
from tests.integration.booking_helpers import (NOW, PASSWORD, make_admin, make_pro, set_clock,
                                               signup_and_login, user_item)


@pytest.fixture
def admin(api):
    set_clock(api)
    return make_admin(api)


def audit_of(api, admin, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    reply = api.get(f"/admin/audit?{query}", token=admin.token)
    assert reply.status == 200, reply.body
    return reply.body["items"]


def raw_get(api, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """A GET whose answer is not JSON (sitemap) or empty (304): status, lower-case headers, bytes."""
    from infra.local.gateway import build_http_event

    route, params = api.gateway.routes.match("GET", path)
    event = build_http_event("GET", path, "", list((headers or {}).items()), b"", route.route_key, params)
    status, header_list, payload = api.gateway.call_function(route, event)
    return status, {k.lower(): v for k, v in header_list}, payload


# ---------------------------------------------------------------- audit log
def test_ban_and_unban_are_audited_in_their_write_newest_first(api, admin):
    client = signup_and_login(api, "CLIENT")
    assert api.post(f"/admin/users/{client.id}/ban", {"reason": "fraude"}, token=admin.token).status == 200
    assert api.post(f"/admin/users/{client.id}/unban", token=admin.token).status == 200
    entries = audit_of(api, admin, targetId=client.id)
    assert [e["action"] for e in entries] == ["USER_UNBAN", "USER_BAN"]
    ban = entries[1]
    assert (ban["actorId"], ban["targetType"], ban["reason"]) == (admin.id, "USER", "fraude")
    assert (ban["before"], ban["after"]) == ({"status": "ACTIVE"}, {"status": "BANNED"})
    assert [e["action"] for e in audit_of(api, admin, actorId=admin.id)][:2] == ["USER_UNBAN", "USER_BAN"]
    assert audit_of(api, admin, actorId="someone-else", targetId=client.id) == []


def test_a_refused_admin_write_leaves_no_audit_entry(api, admin):
    other_admin = make_admin(api)
    assert api.post(f"/admin/users/{other_admin.id}/ban", {"reason": "x"}, token=admin.token).status == 403
    assert audit_of(api, admin, targetId=other_admin.id) == []


def test_the_audit_entry_is_part_of_the_transaction(api, admin, monkeypatch):
    # Given an audit entry whose put fails its condition (an id already used)
    client = signup_and_login(api, "CLIENT")
    taken = audit_dal.new_entry(actor_id="x", action="X", target_type="USER", target_id="x",
                                created_at="2026-12-01T08:00:00.000000Z")
    audit_dal.save_alone(taken)
    monkeypatch.setattr(audit_dal, "new_entry", lambda **kw: taken)
    # When an admin bans, Then the ban is not written either
    reply = api.post(f"/admin/users/{client.id}/ban", {"reason": "x"}, token=admin.token)
    assert reply.status == 409
    assert user_item(client.id).status == "ACTIVE"


def submit_kyc(pro) -> None:
    """The pro uploads its three documents (as through the presigned forms) and submits."""
    import boto3

    from khadamat import clock, config
    from khadamat.domain.kyc import DOCUMENT_TYPES
    from khadamat.usecases import kyc

    s3 = boto3.client("s3", region_name=config.region())
    for doc in DOCUMENT_TYPES:
        key = kyc.upload_url(user_item(pro.id), doc, "image/jpeg", clock.now())["fields"]["key"]
        s3.put_object(Bucket=config.kyc_bucket(), Key=key, Body=b"scan", ContentType="image/jpeg")
    kyc.submit(user_item(pro.id), clock.now())


def test_kyc_review_and_report_triage_are_audited(api, admin):
    pro = make_pro(api)
    submit_kyc(pro)
    approved = api.post(f"/admin/kyc/{pro.id}/approve", token=admin.token)
    assert approved.status == 200 and approved.body["status"] == "APPROVED"
    [entry] = audit_of(api, admin, targetId=pro.id)
    assert (entry["action"], entry["before"], entry["after"]) == (
        "KYC_APPROVE", {"kycStatus": "PENDING"}, {"kycStatus": "APPROVED"})
    assert api.post(f"/admin/kyc/{pro.id}/approve", token=admin.token).status == 409
    assert len(audit_of(api, admin, targetId=pro.id)) == 1


def test_no_route_changes_or_deletes_an_audit_entry(api, admin):
    from tests.conftest import TEMPLATE

    writes = [r.route_key for r in TEMPLATE.routes
              if "audit" in r.path and r.method not in ("GET", "HEAD")]
    assert writes == []


# ---------------------------------------------------------------- user search and detail
def test_search_by_phone_either_form_email_and_folded_name_prefix(api, admin):
    client = signup_and_login(api, "CLIENT", firstName="Éloïse", lastName="Benali")
    me = api.get("/me", token=client.token).body
    national = "0" + me["phone"][4:]
    for query in (me["phone"].replace("+", "%2B"), national, me["email"].upper(), "elo", "ÉLOÏ", "benal"):
        items = api.get(f"/admin/users?query={query}", token=admin.token).body["items"]
        assert [item["id"] for item in items] == [client.id], query
    item = items[0]
    assert set(item) == {"id", "role", "status", "firstName", "lastName", "phone", "email", "cityId",
                         "kycStatus", "sanctionTier", "createdAt"}
    assert api.get("/admin/users?query=elo&role=PRO", token=admin.token).body["items"] == []
    assert api.get("/admin/users?query=0699999999", token=admin.token).body["items"] == []
    assert api.get("/admin/users?query=x&role=GOD", token=admin.token).status == 422


def test_user_detail_has_counters_penalties_kyc_and_last_bookings(api, admin):
    pro = make_pro(api)
    reply = api.get(f"/admin/users/{pro.id}", token=admin.token)
    assert reply.status == 200
    body = reply.body
    assert body["id"] == pro.id and body["kyc"]["status"] == "NOT_SUBMITTED"
    assert body["counters"]["proConsecutiveCancelCount"] == 0
    assert body["penalties"] == [] and body["bookings"] == []
    assert body["subscription"]["items"] == []
    assert api.get("/admin/users/nobody", token=admin.token).status == 404


# ---------------------------------------------------------------- review moderation
def test_hide_and_unhide_a_review_audited_as_review(api, admin):
    review = bookings_dal.ReviewItem(bookings_dal.booking_pk("b-1"), "REVIEW", booking_id="b-1",
                                     client_id="c", pro_id="p", rating=2, comment="nul",
                                     created_at="2026-12-01T08:00:00.000000Z")
    review.save()
    assert api.post("/admin/reviews/b-1/hide", {"reason": "insultes"}, token=admin.token).status == 204
    stored = bookings_dal.ReviewItem.get(bookings_dal.booking_pk("b-1"), "REVIEW")
    assert stored.hidden is True and stored.rating == 2
    assert api.post("/admin/reviews/b-1/unhide", token=admin.token).status == 204
    assert not bookings_dal.ReviewItem.get(bookings_dal.booking_pk("b-1"), "REVIEW").hidden
    entries = audit_of(api, admin, targetId="b-1")
    assert [(e["action"], e["targetType"]) for e in entries] == [("REVIEW_UNHIDE", "REVIEW"),
                                                                ("REVIEW_HIDE", "REVIEW")]
    assert api.post("/admin/reviews/none/hide", {"reason": "x"}, token=admin.token).status == 404


# ---------------------------------------------------------------- TOTP
def test_totp_enrolment_then_login_needs_the_code(api, admin):
    enrolled = api.post("/admin/mfa/enroll", token=admin.token).body
    assert enrolled["otpauthUrl"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolled["secret"])
    now = parse_timestamp(NOW)
    wrong = api.post("/admin/mfa/confirm", {"code": "000000" if totp.at(now) != "000000" else "111111"},
                     token=admin.token)
    assert (wrong.status, wrong.body["error"]["code"]) == (401, "INVALID_CODE")
    assert api.post("/admin/mfa/confirm", {"code": totp.at(now)}, token=admin.token).status == 204
    step = api.post("/auth/login", {"login": admin.phone, "password": PASSWORD}).body
    assert step["mfaRequired"] is True and "accessToken" not in step
    # an mfaToken is no access token
    assert api.get("/me", token=step["mfaToken"]).status == 401
    bad = api.post("/auth/mfa", {"mfaToken": step["mfaToken"], "code": "12345x"})
    assert (bad.status, bad.body["error"]["code"]) == (401, "INVALID_CODE")
    good = api.post("/auth/mfa", {"mfaToken": step["mfaToken"], "code": totp.at(now)})
    assert good.status == 200 and good.body["user"]["role"] == "ADMIN"
    set_clock(api, (now + timedelta(minutes=6)).isoformat())
    late = api.post("/auth/mfa", {"mfaToken": step["mfaToken"], "code": totp.at(now + timedelta(minutes=6))})
    assert late.status == 401 and late.body["error"]["code"] == "UNAUTHORIZED"
    assert "MFA_ENABLE" in [e["action"] for e in audit_of(api, admin, targetId=admin.id)]


# ---------------------------------------------------------------- articles and sitemap
ARTICLE = {"title": "Réparer une fuite d'eau", "summary": "Les bons gestes",
           "bodyMarkdown": "# Titre\n\n[lien](https://example.ma) <script>alert(1)</script>\n\n"
                           "<img src=x onerror=alert(1)>", "status": "PUBLISHED", "cityId": "casablanca"}


def test_article_slug_sanitised_html_etag_and_audit(api, admin):
    created = api.post("/admin/articles", ARTICLE, token=admin.token)
    assert created.status == 201, created.body
    assert created.body["slug"] == "reparer-une-fuite-d-eau"
    html = created.body["bodyHtml"]
    assert "<script" not in html and not re.search(r"<[^>]*onerror", html)
    assert 'rel="nofollow noopener"' in html
    again = api.post("/admin/articles", ARTICLE, token=admin.token)
    assert (again.status, again.body["error"]["code"]) == (409, "SLUG_TAKEN")
    status, headers, _ = raw_get(api, "/articles/reparer-une-fuite-d-eau")
    assert status == 200 and headers["cache-control"] == "public, max-age=300"
    status, headers, body = raw_get(api, "/articles/reparer-une-fuite-d-eau",
                                    {"if-none-match": headers["etag"]})
    assert (status, body) == (304, b"") and headers["etag"]
    listed = api.get("/articles?cityId=casablanca").body["items"]
    assert [a["slug"] for a in listed] == ["reparer-une-fuite-d-eau"] and "bodyHtml" not in listed[0]
    article_id = created.body["id"]
    draft = api.put(f"/admin/articles/{article_id}", {**ARTICLE, "status": "DRAFT"}, token=admin.token)
    assert draft.status == 200
    assert api.get("/articles/reparer-une-fuite-d-eau").status == 404
    assert [a["status"] for a in api.get("/admin/articles", token=admin.token).body["items"]] == ["DRAFT"]
    assert api.delete(f"/admin/articles/{article_id}", token=admin.token).status == 204
    assert [e["action"] for e in audit_of(api, admin, targetId=article_id)] == [
        "ARTICLE_DELETE", "ARTICLE_UPDATE", "ARTICLE_CREATE"]
    # the slug is free again
    assert api.post("/admin/articles", ARTICLE, token=admin.token).status == 201


def test_sitemap_lists_listed_pros_and_published_articles_valid_against_the_schema(api, admin):
    from tests.infra.sitemap_schema import validate_sitemap

    pro, unlisted = make_pro(api), make_pro(api)
    service = {"categoryId": "plomberie", "pricingType": "RANGE", "minPriceMad": 100, "maxPriceMad": 300}
    assert api.put("/pro/services", {"services": [service]}, token=pro.token).status == 200
    api.post("/admin/articles", {**ARTICLE, "title": "Peindre un mur"}, token=admin.token)
    api.post("/admin/articles", {**ARTICLE, "title": "Brouillon", "status": "DRAFT"}, token=admin.token)
    status, headers, document = raw_get(api, "/sitemap.xml")
    assert status == 200 and headers["content-type"].startswith("application/xml")
    validate_sitemap(document)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in ElementTree.fromstring(document).findall("s:url/s:loc", ns)]
    assert f"https://khadamat.ma/pro/{pro.id}" in locations
    assert f"https://khadamat.ma/pro/{unlisted.id}" not in locations
    assert "https://khadamat.ma/blog/peindre-un-mur" in locations
    assert not any("brouillon" in loc for loc in locations)
