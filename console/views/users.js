import { api, query } from "../api.js";
import { badge, cityName, field, h, kv, messageBox, select, when } from "../dom.js";

const ROLES = [["", "Tous"], ["CLIENT", "Client"], ["PRO", "Pro"], ["ADMIN", "Admin"]];
const STATUSES = [["", "Tous"], ["ACTIVE", "Actif"], ["SUSPENDED", "Suspendu"], ["BANNED", "Banni"]];
let lastSearch = { text: "", role: "", status: "" };

// Users: search by exact phone (either form), exact e-mail, or the start of a name.
export async function renderUserSearch() {
  const messages = messageBox();
  const text = h("input", { type: "search", name: "query", value: lastSearch.text, required: true });
  const role = select(ROLES, lastSearch.role);
  const status = select(STATUSES, lastSearch.status);
  const results = h("ul", { class: "list", "aria-label": "Résultats" });
  const form = h("form", { class: "card", role: "search" },
    h("div", { class: "row" }, field("Rechercher un utilisateur (téléphone, e-mail ou nom)", text),
      field("Rôle", role), field("Statut", status), h("button", { type: "submit" }, "Chercher")));

  async function search() {
    messages.clear();
    lastSearch = { text: text.value.trim(), role: role.value, status: status.value };
    if (!lastSearch.text) return;
    try {
      const page = await api("GET", `/admin/users${query({ query: lastSearch.text, role: role.value, status: status.value })}`);
      results.replaceChildren(...page.items.map((user) => h("li", {},
        h("a", { href: `#/users/${encodeURIComponent(user.id)}` }, `${user.firstName} ${user.lastName}`),
        " ", badge(user.role), " ", badge(user.status),
        h("div", { class: "muted" }, `${user.phone || ""} · ${user.email || ""}`))));
      if (!page.items.length) results.replaceChildren(h("li", { class: "muted" }, "Aucun utilisateur trouvé."));
    } catch (error) {
      messages.error(error);
    }
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  if (lastSearch.text) await search();
  return h("section", {}, h("h1", {}, "Utilisateurs"), form, messages.element, results);
}

// One account: counters, penalties, KYC, subscription, last bookings; ban with a reason, unban.
export async function renderUserDetail(userId) {
  const messages = messageBox();
  const section = h("section", {}, h("p", {}, h("a", { href: "#/users" }, "← Recherche")));
  let user;
  try {
    user = await api("GET", `/admin/users/${encodeURIComponent(userId)}`);
  } catch (error) {
    messages.error(error);
    section.append(messages.element);
    return section;
  }
  const status = h("span", {}, badge(user.status));
  const c = user.counters;
  section.append(...[h("h1", {}, `${user.firstName} ${user.lastName}`),
    kv([["Rôle", badge(user.role)], ["Statut", status], ["Téléphone", user.phone], ["E-mail", user.email],
        ["Ville", cityName(user.cityId)], ["Inscrit le", when(user.createdAt)], ["Motif du bannissement", user.banReason],
        ["Identifiant", h("span", { class: "mono" }, user.id)]]),
    h("h2", {}, "Compteurs"),
    kv([["Annulations tardives (30 j)", c.lateCancelCount30d], ["Niveau de sanction", c.sanctionTier],
        ["Réservations bloquées jusqu'au", when(c.bookingCooldownUntil)],
        ["Annulations pro (30 j)", c.proCancelCount30d], ["Annulations pro consécutives", c.proConsecutiveCancelCount],
        ["Note moyenne", c.ratingAverage === null ? "—" : `${c.ratingAverage} (${c.ratingCount} avis)`]]),
    user.kyc ? [h("h2", {}, "KYC"), kv([["Statut", badge(user.kyc.status)], ["Soumis le", when(user.kyc.submittedAt)],
      ["Motif de rejet", user.kyc.rejectionReason],
      ["Dossier", h("a", { href: `#/kyc/${encodeURIComponent(user.id)}` }, "Voir le dossier KYC")]])] : null,
    user.subscription ? [h("h2", {}, "Abonnement"), kv([["Premium jusqu'au", when(user.subscription.premiumUntil)],
      ["Formule", user.subscription.plan],
      ["Abonnements Stripe", user.subscription.items.map((s) => `${s.plan} ${s.status}`).join(", ") || "—"]])] : null,
    h("h2", {}, "Pénalités"), penalties(user.penalties),
    h("h2", {}, "Dernières réservations"), bookings(user.bookings),
    h("h2", {}, "Sanction"), messages.element, sanctionForm(user, status, messages)].flat().filter(Boolean));
  return section;
}

function penalties(items) {
  if (!items.length) return h("p", { class: "muted" }, "Aucune pénalité.");
  return h("ul", { class: "list" }, items.map((p) => h("li", {}, `${when(p.createdAt)} — ${p.type} `,
    h("a", { href: `#/bookings/${encodeURIComponent(p.bookingId)}` }, "réservation"))));
}

function bookings(items) {
  if (!items.length) return h("p", { class: "muted" }, "Aucune réservation.");
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, "Créneau"), h("th", {}, "Statut"), h("th", {}, "Catégorie"))),
    h("tbody", {}, items.map((b) => h("tr", {},
      h("td", {}, h("a", { href: `#/bookings/${encodeURIComponent(b.id)}` }, when(b.timeSlot))),
      h("td", {}, badge(b.status)), h("td", {}, b.categoryId))))));
}

function sanctionForm(user, status, messages) {
  if (user.role === "ADMIN") return h("p", { class: "muted" }, "Un compte administrateur ne peut pas être banni.");
  const reason = h("textarea", { name: "reason", maxLength: 500 });
  const ban = h("button", { type: "button", class: "danger" }, "Bannir");
  const unban = h("button", { type: "button", class: "secondary" }, "Débannir");
  const refresh = (current) => {
    ban.disabled = current === "BANNED";
    unban.disabled = current === "ACTIVE";
  };
  refresh(user.status);
  ban.addEventListener("click", async () => {
    messages.clear();
    if (!reason.value.trim()) {
      messages.error({ code: "REASON_REQUIRED", message: "Indiquez le motif du bannissement" });
      reason.focus();
      return;
    }
    try {
      const result = await api("POST", `/admin/users/${encodeURIComponent(user.id)}/ban`, { reason: reason.value.trim() });
      status.replaceChildren(badge(result.status));
      refresh(result.status);
      messages.ok("Utilisateur banni : ses sessions sont révoquées.");
    } catch (error) {
      messages.error(error);
    }
  });
  unban.addEventListener("click", async () => {
    messages.clear();
    try {
      const result = await api("POST", `/admin/users/${encodeURIComponent(user.id)}/unban`);
      status.replaceChildren(badge(result.status));
      refresh(result.status);
      messages.ok("Utilisateur réactivé.");
    } catch (error) {
      messages.error(error);
    }
  });
  return h("div", { class: "card" }, field("Motif", reason), h("div", { class: "row" }, ban, unban));
}
