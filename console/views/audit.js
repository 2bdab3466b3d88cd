import { api, query } from "../api.js";
import { field, h, messageBox, when } from "../dom.js";

// The audit log, newest first, filtered by actor and/or target id; entries are read only.
export async function renderAudit() {
  const messages = messageBox();
  const actor = h("input", { name: "actorId" });
  const target = h("input", { name: "targetId" });
  const rows = h("tbody", {});
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Plus d'entrées");
  let nextToken = null;

  async function load(append) {
    messages.clear();
    try {
      const page = await api("GET", `/admin/audit${query({ actorId: actor.value.trim(), targetId: target.value.trim(),
        nextToken: append ? nextToken : "" })}`);
      const built = page.items.map((entry) => h("tr", {},
        h("td", {}, when(entry.createdAt)), h("td", {}, entry.action),
        h("td", {}, `${entry.targetType} `, h("span", { class: "mono" }, entry.targetId)),
        h("td", { class: "mono" }, entry.actorId),
        h("td", {}, entry.reason || ""),
        h("td", { class: "mono" }, `${JSON.stringify(entry.before)} → ${JSON.stringify(entry.after)}`)));
      if (append) rows.append(...built); else rows.replaceChildren(...built);
      nextToken = page.nextToken;
      more.hidden = !nextToken;
    } catch (error) {
      messages.error(error);
    }
  }
  const form = h("form", { class: "card" }, h("div", { class: "row" },
    field("Acteur (identifiant)", actor), field("Cible (identifiant)", target),
    h("button", { type: "submit" }, "Filtrer")));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(false); });
  more.addEventListener("click", () => load(true));
  await load(false);
  return h("section", {}, h("h1", {}, "Journal d'audit"), form, messages.element,
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {},
      ["Date", "Action", "Cible", "Acteur", "Motif", "Avant → après"].map((name) => h("th", {}, name)))), rows)),
    h("p", {}, more));
}
