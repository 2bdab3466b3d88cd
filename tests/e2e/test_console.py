"""The admin console in a real browser (SPEC §17): headless Chromium (Debian's package) driven
by Playwright for Python, against the whole local stack (the `stack` fixture).

Every screen is checked for: no console error, no failed request, a label on every control,
no sideways scroll at 375 px. With CONSOLE_SCREENSHOTS=1 each screen is saved under
docs/console/. One browser for the whole module; one context (fresh memory: no token) per test.
"""

from __future__ import annotations

import itertools
import os
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

import pyotp
import pytest
import requests

from tests.e2e.flows import ADMIN_LOGIN, KYC_DOCUMENTS, PASSWORD, log_in, offer, open_every_day, sign_up

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Chromium off the network it cannot reach here (background services).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
_ips = itertools.count(1)


def own_ip() -> str:
    """Each user of these tests has an IP of its own (the per-IP /auth/* limit)."""
    return f"10.18.{random.randrange(256)}.{next(_ips) % 250 + 1}"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"NO BROWSER: {CHROMIUM} is missing (make test installs Debian's chromium as root; "
                    "else set CHROMIUM_PATH): the console's browser tests did not run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def api(stack):
    """requests with an IP of its own."""
    with requests.Session() as session:
        session.headers["X-Forwarded-For"] = own_ip()
        yield session


class Console:
    """One browser context (no token yet) and what it saw go wrong."""

    def __init__(self, browser, stack: str, width: int = 1280):
        self.stack = stack
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR",
                                           extra_http_headers={"X-Forwarded-For": own_ip()})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.allowed_failures: set[tuple[str, int]] = set()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", lambda request: self.problems.append(
            f"request failed: {request.method} {request.url} {request.failure}"))
        self.page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error" and not any(
                f"status of {status}" in message.text for _path, status in self.allowed_failures):
            self.problems.append(f"console error: {message.text}")

    def _on_response(self, response) -> None:
        path = response.url.split("?")[0].replace(self.stack, "")
        if response.status >= 400 and (path, response.status) not in self.allowed_failures:
            self.problems.append(f"failed request: {response.request.method} {path} → {response.status}")

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.stack}/console/{fragment}")

    def sign_in(self, login: str = ADMIN_LOGIN["login"], password: str = ADMIN_LOGIN["password"]) -> None:
        self.open()
        self.page.get_by_label("E-mail ou téléphone").fill(login)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.get_by_role("button", name="Se déconnecter").wait_for()
        self.page.get_by_role("heading", name="Vérification d'identité (KYC)").wait_for()

    def go(self, fragment: str) -> None:
        """In-app navigation (no reload: the session lives in the page's memory)."""
        self.page.evaluate("fragment => { location.hash = fragment; }", fragment)

    def nav(self, name: str) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()

    def check_screen(self, name: str, save: bool = True) -> None:
        """Labels on every control, no sideways scroll; a screenshot when asked."""
        unlabelled = self.page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label')
                    && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML)""")
        assert unlabelled == [], unlabelled
        if save and os.environ.get("CONSOLE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems


@pytest.fixture
def console(browser, stack):
    opened = Console(browser, stack)
    yield opened
    opened.context.close()
    opened.assert_clean()


def tiny_png(red: int, green: int, blue: int, size: int = 48) -> bytes:
    """A plain-colour PNG (a stand-in for a scanned document)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((red, green, blue)) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def pro_with_pending_kyc(stack, api) -> tuple[str, dict]:
    pro_id, headers = sign_up(stack, api, "PRO", "rabat-sale", first_name="Youssef")
    colours = {"CIN_FRONT": (30, 120, 200), "CIN_BACK": (200, 120, 30), "SELFIE": (40, 160, 90)}
    for doc in KYC_DOCUMENTS:
        form = api.post(f"{stack}/pro/kyc/documents", json={"docType": doc, "contentType": "image/png"},
                        headers=headers, timeout=10).json()
        uploaded = api.post(form["url"], data=form["fields"],
                            files={"file": ("scan.png", tiny_png(*colours[doc]), "image/png")}, timeout=60)
        assert uploaded.status_code == 204, uploaded.text
    assert api.post(f"{stack}/pro/kyc/submit", headers=headers, timeout=10).status_code == 200
    return pro_id, headers


# ---------------------------------------------------------------- the tasks
def test_admin_approves_a_kyc_in_the_console_and_the_pro_shows_verified(console, stack, api):
    pro_id, pro_headers = pro_with_pending_kyc(stack, api)
    offer(stack, api, pro_headers, "plomberie")
    console.sign_in()
    console.nav("KYC")
    console.page.get_by_role("link", name="Youssef Idrissi").first.wait_for()
    console.check_screen("kyc-queue")
    console.go(f"#/kyc/{pro_id}")
    images = console.page.locator(".docs img")
    images.first.wait_for()
    console.page.wait_for_function(
        "() => [...document.querySelectorAll('.docs img')].every(img => img.complete && img.naturalWidth > 0)")
    assert images.count() == 3
    console.check_screen("kyc-review")
    console.page.get_by_role("button", name="Approuver").click()
    console.page.get_by_text("Dossier approuvé").wait_for()
    profile = api.get(f"{stack}/pros/{pro_id}", timeout=10).json()
    assert "VERIFIED" in profile["badges"]


def test_a_report_is_resolved_with_a_note_and_its_booking_has_a_timeline(console, stack, api):
    client_id, client_headers = sign_up(stack, api, "CLIENT", first_name="Karima")
    pro_id, pro_headers = sign_up(stack, api, "PRO", "casablanca", first_name="Omar")
    offer(stack, api, pro_headers, "plomberie")
    open_every_day(stack, api, pro_headers, 0, 24)
    slot = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    booking = api.post(f"{stack}/bookings", json={"proId": pro_id, "categoryId": "plomberie",
                                                  "timeSlot": slot.isoformat()}, headers=client_headers, timeout=10)
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["id"]
    title = f"Retard {random.randrange(10**6)}"
    filed = api.post(f"{stack}/bookings/{booking_id}/reports", json={"title": title, "details": "Le pro n'est pas venu"},
                     headers=client_headers, timeout=10)
    assert filed.status_code == 201, filed.text
    console.sign_in()
    console.nav("Signalements")
    card = console.page.get_by_role("listitem", name=f"Signalement {title}")
    card.wait_for()
    console.check_screen("reports")
    card.get_by_label("Nouveau statut").select_option("RESOLVED")
    card.get_by_label("Note de résolution").fill("Geste commercial accordé")
    card.get_by_role("button", name="Enregistrer").click()
    card.get_by_text("Signalement passé à Résolu").wait_for()
    resolved = api.get(f"{stack}/admin/reports?status=RESOLVED&limit=100",
                       headers=log_in(stack, api, ADMIN_LOGIN["login"], ADMIN_LOGIN["password"]), timeout=10).json()
    [report] = [r for r in resolved["items"] if r["title"] == title]
    assert report["resolutionNote"] == "Geste commercial accordé"
    card.get_by_role("link", name="Réservation").click()
    timeline = console.page.get_by_role("list", name="Historique de la réservation")
    timeline.get_by_text("Demande créée").wait_for()
    console.check_screen("booking")


def test_a_user_found_by_phone_is_banned_and_can_no_longer_log_in(console, stack, api):
    user_id, headers = sign_up(stack, api, "CLIENT", first_name="Mehdi")
    phone = api.get(f"{stack}/me", headers=headers, timeout=10).json()["phone"]
    national = "0" + phone[4:]
    console.sign_in()
    console.nav("Utilisateurs")
    console.page.get_by_label("Rechercher").fill(national)
    console.page.get_by_role("button", name="Chercher").click()
    console.page.get_by_role("link", name="Mehdi Idrissi").click()
    console.page.get_by_role("heading", name="Mehdi Idrissi").wait_for()
    console.check_screen("user-detail")
    console.page.get_by_label("Motif").fill("Faux comptes")
    console.page.get_by_role("button", name="Bannir", exact=True).click()
    console.page.get_by_text("Utilisateur banni").wait_for()
    refused = api.post(f"{stack}/auth/login", json={"login": phone, "password": PASSWORD}, timeout=10)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ACCOUNT_BANNED")
    console.nav("Journal d'audit")
    console.page.get_by_label("Cible (identifiant)").fill(user_id)
    console.page.get_by_role("button", name="Filtrer").click()
    console.page.get_by_role("cell", name="USER_BAN").wait_for()
    console.check_screen("audit")


def test_an_article_written_in_the_console_is_served_and_in_the_sitemap(console, stack, api):
    title = f"Détartrer un chauffe-eau {random.randrange(10**6)}"
    console.sign_in()
    console.nav("Articles")
    console.page.get_by_role("link", name="Nouvel article").click()
    console.page.get_by_label("Titre", exact=True).fill(title)
    console.page.get_by_label("Résumé").fill("Les étapes, sans se brûler")
    console.page.get_by_label("Corps (Markdown)").fill("## Matériel\n\n- vinaigre blanc\n- [guide](https://example.ma)")
    console.page.get_by_role("button", name="Publier").click()
    console.page.get_by_text("Article publié").wait_for()
    preview = console.page.get_by_label("Aperçu")
    assert preview.get_by_role("heading", name="Matériel").is_visible()
    console.check_screen("article-editor")
    slug = console.page.get_by_label("Slug (facultatif)").input_value()
    assert slug.startswith("detartrer-un-chauffe-eau-")
    served = api.get(f"{stack}/articles/{slug}", timeout=10)
    assert served.status_code == 200 and "<h2>Matériel</h2>" in served.json()["bodyHtml"]
    sitemap = ElementTree.fromstring(api.get(f"{stack}/sitemap.xml", timeout=10).content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert any(loc.text.endswith(f"/blog/{slug}") for loc in sitemap.findall("s:url/s:loc", ns))
    console.nav("Articles")
    console.page.get_by_role("link", name=title).wait_for()
    console.check_screen("articles")


def test_sign_in_with_totp_by_keyboard_and_a_wrong_code_is_shown_in_place(console, stack, api):
    email = f"ops{random.randrange(10**7)}@khadamat.local"
    created = api.post(f"{stack}/_dev/admins", json={"email": email, "password": PASSWORD}, timeout=10)
    assert created.status_code == 201, created.text
    headers = log_in(stack, api, email)
    secret = api.post(f"{stack}/admin/mfa/enroll", headers=headers, timeout=10).json()["secret"]
    assert api.post(f"{stack}/admin/mfa/confirm", json={"code": pyotp.TOTP(secret).now()},
                    headers=headers, timeout=10).status_code == 204
    console.allowed_failures.add(("/auth/mfa", 401))
    console.open()
    console.check_screen("sign-in")
    page = console.page
    for _ in range(5):  # by keyboard only: Tab to the first field
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "login":
            break
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    code = page.get_by_label("Code")
    code.wait_for()
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    code.fill(wrong)
    page.keyboard.press("Enter")
    page.get_by_role("alert").get_by_text("INVALID_CODE").wait_for()
    console.check_screen("sign-in-totp")
    code.fill(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Se déconnecter").wait_for()
    page.get_by_role("heading", name="Vérification d'identité (KYC)").wait_for()
    page.wait_for_load_state("networkidle")
    # tokens are in memory only: a reload asks to sign in again
    assert page.evaluate("() => localStorage.length + sessionStorage.length + document.cookie.length") == 0
    page.reload()
    page.get_by_role("button", name="Se connecter").wait_for()


@pytest.mark.parametrize("fragment", ["#/kyc", "#/reports", "#/users", "#/audit", "#/articles",
                                      "#/articles/new", "#/security"])
def test_every_screen_fits_375_px_and_is_labelled(browser, stack, fragment):
    console = Console(browser, stack, width=375)
    try:
        console.sign_in()
        console.go(fragment)
        console.page.wait_for_function("f => location.hash === f", arg=fragment)
        console.page.wait_for_load_state("networkidle")
        console.page.locator("main h1").first.wait_for()
        width = console.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"{fragment} scrolls sideways: {width}px"
        console.check_screen("phone-kyc", save=fragment == "#/kyc")
    finally:
        console.context.close()
    console.assert_clean()


def test_console_pages_send_the_csp_and_no_inline_script(stack, api):
    page = api.get(f"{stack}/console/", timeout=10)
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'; img-src 'self' http://127.0.0.1:")
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in page.text and "<script type=\"module\" src=" in page.text


def test_other_errors_stay_in_place_and_an_expired_session_returns_to_sign_in(console, stack, api):
    console.sign_in()
    console.allowed_failures.add(("/admin/users/nobody", 404))
    console.go("#/users/nobody")
    console.page.get_by_role("alert").get_by_text("NOT_FOUND").wait_for()
    assert console.page.get_by_role("button", name="Se déconnecter").is_visible()
    # When the access token expires (the dev clock 20 minutes on; tokens live 15)
    later = datetime.now(timezone.utc) + timedelta(minutes=20)
    assert api.post(f"{stack}/_dev/clock", json={"now": later.isoformat()}, timeout=10).status_code == 200
    try:
        console.allowed_failures.add(("/admin/audit", 401))
        console.nav("Journal d'audit")
        # Then the next call's 401 UNAUTHORIZED brings the sign-in back, saying why
        console.page.get_by_label("E-mail ou téléphone").wait_for()
        console.page.get_by_text("Votre session a expiré").wait_for()
    finally:
        api.delete(f"{stack}/_dev/clock", timeout=10)
