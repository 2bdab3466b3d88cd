import { api, query } from "../api.js";
import { badge, field, h, messageBox, select, when } from "../dom.js";

const CITIES = [["", "Toutes"], ["casablanca", "Casablanca"], ["rabat-sale", "Rabat / Salé"], ["marrakech", "Marrakech"]];
const CATEGORIES = [["", "Toutes"], ["plomberie", "Plomberie"], ["electricite", "Électricité"],
  ["climatisation", "Climatisation"], ["serrurerie", "Serrurerie"], ["menage", "Ménage"], ["peinture", "Peinture"],
  ["bricolage", "Bricolage"], ["jardinage", "Jardinage"]];

// The editor's list: drafts included, newest first.
export async function renderArticles() {
  const messages = messageBox();
  const list = h("ul", { class: "list", "aria-label": "Articles" });
  try {
    const page = await api("GET", `/admin/articles${query({ limit: "100" })}`);
    list.replaceChildren(...page.items.map((article) => h("li", {},
      h("a", { href: `#/articles/${encodeURIComponent(article.id)}` }, article.title), " ", badge(article.status),
      h("div", { class: "muted" }, `/blog/${article.slug} · modifié le ${when(article.updatedAt)}`))));
    if (!page.items.length) list.replaceChildren(h("li", { class: "muted" }, "Aucun article."));
  } catch (error) {
    messages.error(error);
  }
  return h("section", {}, h("h1", {}, "Articles"),
    h("p", {}, h("a", { class: "button", href: "#/articles/new" }, "Nouvel article")), messages.element, list);
}

// Write or edit an article; the preview is the API's sanitised rendering of the saved Markdown.
export async function renderArticleEditor(articleId) {
  const messages = messageBox();
  let article = null;
  if (articleId) {
    try {
      article = await api("GET", `/admin/articles/${encodeURIComponent(articleId)}`);
    } catch (error) {
      messages.error(error);
      return h("section", {}, h("p", {}, h("a", { href: "#/articles" }, "← Articles")), messages.element);
    }
  }
  const title = h("input", { name: "title", required: true, maxLength: 200, value: article?.title || "" });
  const slug = h("input", { name: "slug", maxLength: 80, value: article?.slug || "", pattern: "[a-z0-9]+(-[a-z0-9]+)*" });
  const summary = h("textarea", { name: "summary", maxLength: 500, value: article?.summary || "" });
  const body = h("textarea", { name: "bodyMarkdown", rows: 12, value: article?.bodyMarkdown || "" });
  const city = select(CITIES, article?.cityId || "");
  const category = select(CATEGORIES, article?.categoryId || "");
  const cover = h("input", { name: "coverUrl", type: "url", value: article?.coverUrl || "" });
  const status = h("span", {}, badge(article?.status || "DRAFT"));
  const preview = h("div", { class: "preview", "aria-label": "Aperçu" });
  const heading = h("h1", {}, article ? "Modifier l'article" : "Nouvel article");
  const save = h("button", { type: "button", class: "secondary" }, "Enregistrer");
  const publish = h("button", { type: "button" }, "Publier");
  const unpublish = h("button", { type: "button", class: "secondary" }, "Retirer du site");
  const remove = h("button", { type: "button", class: "danger" }, "Supprimer");

  function showPreview(html) {
    // bodyHtml is sanitised by the API (nh3); the page's CSP runs no inline script anyway.
    const parsed = new DOMParser().parseFromString(html || "", "text/html");
    preview.replaceChildren(...parsed.body.childNodes);
    if (!html) preview.replaceChildren(h("p", { class: "muted" }, "Enregistrez pour voir l'aperçu."));
  }
  function refreshButtons() {
    unpublish.hidden = !article || article.status !== "PUBLISHED";
    remove.hidden = !article;
  }

  async function write(wantedStatus) {
    messages.clear();
    const payload = { title: title.value.trim(), summary: summary.value.trim(), bodyMarkdown: body.value,
      status: wantedStatus };
    if (slug.value.trim()) payload.slug = slug.value.trim();
    if (city.value) payload.cityId = city.value;
    if (category.value) payload.categoryId = category.value;
    if (cover.value.trim()) payload.coverUrl = cover.value.trim();
    try {
      article = article
        ? await api("PUT", `/admin/articles/${encodeURIComponent(article.id)}`, payload)
        : await api("POST", "/admin/articles", payload);
      slug.value = article.slug;
      heading.textContent = "Modifier l'article";
      status.replaceChildren(badge(article.status));
      showPreview(article.bodyHtml);
      refreshButtons();
      history.replaceState(null, "", `#/articles/${encodeURIComponent(article.id)}`);
      messages.ok(article.status === "PUBLISHED" ? `Article publié : /blog/${article.slug}` : "Brouillon enregistré.");
    } catch (error) {
      messages.error(error);
    }
  }
  save.addEventListener("click", () => write(article?.status || "DRAFT"));
  publish.addEventListener("click", () => write("PUBLISHED"));
  unpublish.addEventListener("click", () => write("DRAFT"));
  let armed = false;
  remove.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      remove.textContent = "Confirmer la suppression";
      return;
    }
    messages.clear();
    try {
      await api("DELETE", `/admin/articles/${encodeURIComponent(article.id)}`);
      location.hash = "#/articles";
    } catch (error) {
      messages.error(error);
    }
  });

  showPreview(article?.bodyHtml);
  refreshButtons();
  return h("section", {}, h("p", {}, h("a", { href: "#/articles" }, "← Articles")),
    heading, h("p", {}, "Statut : ", status),
    h("form", { class: "card", onsubmit: (event) => event.preventDefault() },
      field("Titre", title), field("Slug (facultatif)", slug), field("Résumé", summary),
      field("Corps (Markdown)", body),
      h("div", { class: "row" }, field("Ville", city), field("Catégorie", category)),
      field("Image de couverture (URL https)", cover),
      h("div", { class: "row" }, save, publish, unpublish, remove)),
    messages.element, h("h2", {}, "Aperçu"), preview);
}
