import { api, query } from "../api.js";
import { badge, field, h, messageBox, select, when } from "../dom.js";

const STATUS_FILTER = [["OPEN", "Ouverts"], ["IN_REVIEW", "En cours"], ["RESOLVED", "Résolus"],
  ["REJECTED", "Rejetés"], ["", "Tous"]];
const PRIORITY_FILTER = [["", "Toutes"], ["HIGH", "Haute"], ["NORMAL", "Normale"]];
const NEXT = { OPEN: ["IN_REVIEW", "RESOLVED", "REJECTED"], IN_REVIEW: ["RESOLVED", "REJECTED"] };
const LABELS = { IN_REVIEW: "En cours d'examen", RESOLVED: "Résolu", REJECTED: "Rejeté" };

// Reports triage: HIGH first then oldest; each report moves on with a resolution note.
export async function renderReports() {
  const messages = messageBox();
  const status = select(STATUS_FILTER, "OPEN");
  const priority = select(PRIORITY_FILTER, "");
  const list = h("ul", { class: "list", "aria-label": "Signalements" });
  status.addEventListener("change", load);
  priority.addEventListener("change", load);

  async function load() {
    messages.clear();
    try {
      const page = await api("GET", `/admin/reports${query({ status: status.value, priority: priority.value })}`);
      list.replaceChildren(...page.items.map(reportCard));
      if (!page.items.length) list.replaceChildren(h("li", { class: "muted" }, "Aucun signalement."));
    } catch (error) {
      messages.error(error);
    }
  }
  await load();
  return h("section", {}, h("h1", {}, "Signalements"),
    h("div", { class: "row" }, field("Statut", status), field("Priorité", priority)),
    messages.element, list);
}

function reportCard(report) {
  const messages = messageBox();
  const statusBadge = h("span", {}, badge(report.status));
  const card = h("li", { "aria-label": `Signalement ${report.title}` },
    h("strong", {}, report.title), " ", badge(report.priority), " ", statusBadge,
    h("p", {}, report.details),
    h("p", { class: "muted" }, `Déposé le ${when(report.createdAt)} par ${report.reporterRole === "PRO" ? "le pro" : "le client"} · `,
      h("a", { href: `#/bookings/${encodeURIComponent(report.bookingId)}` }, "Réservation"), " · ",
      h("a", { href: `#/users/${encodeURIComponent(report.reporterId)}` }, "Auteur du signalement")),
    report.resolutionNote ? h("p", {}, `Note : ${report.resolutionNote}`) : null);
  const targets = NEXT[report.status];
  if (targets) {
    const next = select(targets.map((value) => [value, LABELS[value]]), targets[0]);
    const note = h("textarea", { name: "resolutionNote", maxLength: 2000 });
    const save = h("button", { type: "button" }, "Enregistrer");
    const form = h("div", {}, h("div", { class: "row" }, field("Nouveau statut", next)),
      field("Note de résolution", note), h("p", {}, save));
    save.addEventListener("click", async () => {
      messages.clear();
      try {
        const body = { status: next.value };
        if (note.value.trim()) body.resolutionNote = note.value.trim();
        const updated = await api("PATCH", `/admin/reports/${encodeURIComponent(report.id)}`, body);
        statusBadge.replaceChildren(badge(updated.status));
        form.remove();
        messages.ok(`Signalement passé à ${LABELS[updated.status] || updated.status}.`);
      } catch (error) {
        messages.error(error);
      }
    });
    card.append(form);
  }
  card.append(messages.element);
  return card;
}
