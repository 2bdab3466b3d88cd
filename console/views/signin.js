import { api, startSession } from "../api.js";
import { field, h, messageBox } from "../dom.js";

// Sign-in: login + password; when the admin has TOTP, a second step asks for the code.
export function renderSignIn(onSignedIn, notice) {
  const messages = messageBox();
  const login = h("input", { name: "login", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "card", noValidate: false },
    field("E-mail ou téléphone", login), field("Mot de passe", password),
    h("p", {}, h("button", { type: "submit" }, "Se connecter")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    messages.clear();
    try {
      const answer = await api("POST", "/auth/login", { login: login.value.trim(), password: password.value });
      if (answer.mfaRequired) {
        form.replaceWith(codeStep(answer.mfaToken, messages, onSignedIn));
        return;
      }
      startSession(answer);
      onSignedIn();
    } catch (error) {
      messages.error(error);
    }
  });

  return h("section", { "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Connexion administrateur"),
    notice ? h("p", { class: "ok" }, notice) : null,
    messages.element, form);
}

function codeStep(mfaToken, messages, onSignedIn) {
  const code = h("input", { name: "code", inputMode: "numeric", autocomplete: "one-time-code", required: true });
  const form = h("form", { class: "card" },
    h("p", {}, "Saisissez le code à 6 chiffres de votre application d'authentification."),
    field("Code", code), h("p", {}, h("button", { type: "submit" }, "Se connecter")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    messages.clear();
    try {
      startSession(await api("POST", "/auth/mfa", { mfaToken, code: code.value.trim() }));
      onSignedIn();
    } catch (error) {
      messages.error(error); // INVALID_CODE stays here; an expired mfaToken says to sign in again
    }
  });
  queueMicrotask(() => code.focus());
  return form;
}
