import { api, query } from "../api.js";
import { badge, cityName, field, h, kv, messageBox, select, when } from "../dom.js";

const STATUSES = [["PENDING", "En attente"], ["APPROVED", "Approuvés"], ["REJECTED", "Rejetés"]];
const DOCUMENT_NAMES = { CIN_FRONT: "CIN (recto)", CIN_BACK: "CIN (verso)", SELFIE: "Selfie" };

// The KYC queue: pending submissions first (oldest first), each opening its review page.
export async function renderKycQueue(status = "PENDING") {
  const messages = messageBox();
  const list = h("ul", { class: "list", "aria-label": "Dossiers KYC" });
  const filter = select(STATUSES, status);
  filter.addEventListener("change", () => load(filter.value));

  async function load(wanted) {
    messages.clear();
    try {
      const page = await api("GET", `/admin/kyc${query({ status: wanted })}`);
      list.replaceChildren(...page.items.map((item) => h("li", {},
        h("a", { href: `#/kyc/${encodeURIComponent(item.proId)}` }, `${item.firstName} ${item.lastName}`),
        " ", badge(item.status), h("div", { class: "muted" },
          `${cityName(item.cityId)} · soumis le ${when(item.submittedAt)}`))));
      if (!page.items.length) list.replaceChildren(h("li", { class: "muted" }, "Aucun dossier."));
    } catch (error) {
      messages.error(error);
    }
  }
  await load(status);
  return h("section", {}, h("h1", {}, "Vérification d'identité (KYC)"),
    h("div", { class: "row" }, field("Statut", filter)), messages.element, list);
}

// One pro's documents, shown inline from their short-lived links; approve, or reject with a reason.
export async function renderKycReview(proId) {
  const messages = messageBox();
  const section = h("section", {}, h("p", {}, h("a", { href: "#/kyc" }, "← File KYC")));
  let review;
  try {
    review = await api("GET", `/admin/kyc/${encodeURIComponent(proId)}`);
  } catch (error) {
    messages.error(error);
    section.append(messages.element);
    return section;
  }
  const status = h("span", {}, badge(review.status));
  const documents = Object.entries(review.documents).map(([doc, link]) => h("figure", {},
    link ? documentPreview(link.url, DOCUMENT_NAMES[doc] || doc) : h("p", { class: "muted" }, "Non fourni"),
    h("figcaption", {}, DOCUMENT_NAMES[doc] || doc)));

  const reason = h("textarea", { name: "reason", maxLength: 500 });
  const approve = h("button", { type: "button" }, "Approuver");
  const reject = h("button", { type: "button", class: "danger" }, "Rejeter");
  const actions = h("div", { class: "card" },
    h("div", { class: "row" }, approve), field("Motif", reason), h("p", {}, reject));
  if (review.status !== "PENDING") actions.hidden = true;

  approve.addEventListener("click", () => decide("approve", undefined));
  reject.addEventListener("click", () => {
    if (!reason.value.trim()) {
      messages.error({ code: "REASON_REQUIRED", message: "Indiquez le motif du rejet." });
      reason.focus();
      return;
    }
    decide("reject", { reason: reason.value.trim() });
  });

  async function decide(action, body) {
    messages.clear();
    try {
      const result = await api("POST", `/admin/kyc/${encodeURIComponent(proId)}/${action}`, body);
      status.replaceChildren(badge(result.status));
      actions.hidden = true;
      messages.ok(result.status === "APPROVED" ? "Dossier approuvé : le pro est vérifié."
        : "Dossier rejeté : les documents ont été supprimés.");
    } catch (error) {
      messages.error(error);
    }
  }

  section.append(h("h1", {}, `KYC — ${review.firstName} ${review.lastName}`),
    kv([["Statut", status], ["Ville", cityName(review.cityId)], ["Soumis le", when(review.submittedAt)],
        ["Motif du dernier rejet", review.rejectionReason],
        ["Fiche", h("a", { href: `#/users/${encodeURIComponent(proId)}` }, "Voir l'utilisateur")]]),
    h("h2", {}, "Documents"), h("div", { class: "docs" }, documents),
    messages.element, actions);
  return section;
}

// An image shows inline; a PDF (or anything an <img> cannot draw) falls back to a frame.
function documentPreview(url, title) {
  const image = h("img", { src: url, alt: title });
  image.addEventListener("error", () => image.replaceWith(h("iframe", { src: url, title })), { once: true });
  return image;
}
