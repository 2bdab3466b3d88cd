import { api } from "../api.js";
import { field, h, messageBox } from "../dom.js";

// TOTP enrolment: a secret to add to an authenticator app, confirmed by one code.
export async function renderSecurity() {
  const messages = messageBox();
  const start = h("button", { type: "button" }, "Activer la double authentification");
  const area = h("div", {});
  start.addEventListener("click", async () => {
    messages.clear();
    try {
      const enrolment = await api("POST", "/admin/mfa/enroll");
      const code = h("input", { name: "code", inputMode: "numeric", autocomplete: "one-time-code" });
      const confirm = h("button", { type: "submit" }, "Confirmer");
      const form = h("form", { class: "card" },
        h("p", {}, "Ajoutez ce compte dans votre application d'authentification (clé à saisir) :"),
        h("p", { class: "mono" }, enrolment.secret),
        h("p", { class: "mono muted" }, enrolment.otpauthUrl), field("Code", code), h("p", {}, confirm));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        messages.clear();
        try {
          await api("POST", "/admin/mfa/confirm", { code: code.value.trim() });
          form.remove();
          messages.ok("Double authentification activée : elle sera demandée à chaque connexion.");
        } catch (error) {
          messages.error(error);
        }
      });
      area.replaceChildren(form);
    } catch (error) {
      messages.error(error);
    }
  });
  return h("section", {}, h("h1", {}, "Sécurité du compte"),
    h("p", {}, "La double authentification (TOTP) demande un code à 6 chiffres après le mot de passe."),
    h("p", {}, start), messages.element, area);
}
