// Small DOM helpers: elements are built with properties, never from HTML strings
// (the only HTML inserted is the article preview, sanitised by the API with nh3).
let counter = 0;

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "class") element.className = value;
    else if (name in element && !name.includes("-")) element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

// A labelled control: <div class="field"><label for=id>text</label><control id=id></div>
export function field(labelText, control) {
  control.id = control.id || uid();
  return h("div", { class: "field" }, h("label", { htmlFor: control.id }, labelText), control);
}

export function select(options, value) {
  return h("select", {}, options.map(([optionValue, text]) =>
    h("option", { value: optionValue, selected: optionValue === value }, text)));
}

export function badge(text) {
  return h("span", { class: `badge ${text || ""}` }, text ?? "—");
}

// The place where a view reports an error (or a success) next to what was done.
export function messageBox() {
  const box = h("div", { role: "status", "aria-live": "polite" });
  return {
    element: box,
    error(error) {
      box.replaceChildren(h("p", { class: "error", role: "alert" }, describe(error)));
    },
    ok(text) { box.replaceChildren(h("p", { class: "ok" }, text)); },
    clear() { box.replaceChildren(); },
  };
}

// The API speaks English in its messages: the console says the known codes in French.
const FRENCH = {
  INVALID_CREDENTIALS: "Identifiant ou mot de passe incorrect.",
  INVALID_CODE: "Code incorrect ou expiré.",
  UNAUTHORIZED: "Session expirée : reconnectez-vous.",
  ACCOUNT_BANNED: "Ce compte est banni.",
  FORBIDDEN: "Action non autorisée.",
  NOT_FOUND: "Introuvable.",
  INVALID_TRANSITION: "Cet élément a changé entre-temps : rechargez la page.",
  SLUG_TAKEN: "Ce slug est déjà utilisé par un autre article.",
  REASON_REQUIRED: "Indiquez un motif.",
  RATE_LIMITED: "Trop de tentatives : patientez quelques minutes.",
  NETWORK: "Le serveur ne répond pas.",
};

export function describe(error) {
  if (error && error.code === "VALIDATION_ERROR") return `Champ invalide : ${error.message} (${error.code})`;
  if (error && error.code) return `${FRENCH[error.code] || error.message} (${error.code})`;
  return "Erreur inattendue : réessayez.";
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("fr-MA", { timeZone: "Africa/Casablanca" });
}

export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.map(([key, value]) => [h("dt", {}, key), h("dd", {}, value ?? "—")]));
}

const CITY_NAMES = { casablanca: "Casablanca", "rabat-sale": "Rabat / Salé", marrakech: "Marrakech" };

export function cityName(cityId) {
  return cityId ? CITY_NAMES[cityId] || cityId : "—";
}
