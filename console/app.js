// Khadamat admin console: a hash router over views that use the public API only.
import { logout, setSignedOutHandler, signedIn } from "./api.js";
import { renderSignIn } from "./views/signin.js";
import { renderKycQueue, renderKycReview } from "./views/kyc.js";
import { renderReports } from "./views/reports.js";
import { renderUserSearch, renderUserDetail } from "./views/users.js";
import { renderBooking } from "./views/booking.js";
import { renderAudit } from "./views/audit.js";
import { renderArticles, renderArticleEditor } from "./views/articles.js";
import { renderSecurity } from "./views/security.js";

const routes = [
  [/^#\/kyc$/, () => renderKycQueue()],
  [/^#\/kyc\/([^/]+)$/, (id) => renderKycReview(id)],
  [/^#\/reports$/, () => renderReports()],
  [/^#\/users$/, () => renderUserSearch()],
  [/^#\/users\/([^/]+)$/, (id) => renderUserDetail(id)],
  [/^#\/bookings\/([^/]+)$/, (id) => renderBooking(id)],
  [/^#\/audit$/, () => renderAudit()],
  [/^#\/articles$/, () => renderArticles()],
  [/^#\/articles\/new$/, () => renderArticleEditor(null)],
  [/^#\/articles\/([^/]+)$/, (id) => renderArticleEditor(id)],
  [/^#\/security$/, () => renderSecurity()],
];

const main = document.getElementById("contenu");
let showing = 0;
const nav = document.getElementById("nav");

function markCurrentLink(hash) {
  for (const link of nav.querySelectorAll("a")) {
    const section = link.getAttribute("href");
    if (hash === section || hash.startsWith(section + "/")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function show(notice) {
  const shown = ++showing;
  if (!signedIn()) {
    nav.hidden = true;
    main.replaceChildren(renderSignIn(() => {
      if (!location.hash || location.hash === "#/") location.hash = "#/kyc";
      else show();
    }, notice));
    main.focus();
    return;
  }
  nav.hidden = false;
  const hash = location.hash || "#/kyc";
  markCurrentLink(hash);
  const decoded = decodeURIComponent(hash);
  const found = routes.find(([pattern]) => pattern.test(decoded));
  const view = await (found ? found[1](...decoded.match(found[0]).slice(1)) : renderKycQueue());
  if (shown !== showing) return; // the admin went elsewhere while this page loaded
  main.replaceChildren(view);
  main.focus();
}

setSignedOutHandler((notice) => show(notice));
window.addEventListener("hashchange", () => show());
document.getElementById("signout").addEventListener("click", async () => {
  await logout();
  history.replaceState(null, "", "#/");
  show("Vous êtes déconnecté.");
});

show();
