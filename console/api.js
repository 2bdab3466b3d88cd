// The API client. Tokens live in this module's memory only (never localStorage,
// sessionStorage, IndexedDB or a readable cookie): a reload asks to sign in again.
let session = null; // {accessToken, refreshToken, user}
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setSignedOutHandler(handler) { onSignedOut = handler; }
export function currentUser() { return session && session.user; }
export function signedIn() { return session !== null; }

export function startSession(tokens) {
  if (!tokens.user || tokens.user.role !== "ADMIN") {
    throw new ApiError(403, "FORBIDDEN", "Ce compte n'est pas un compte administrateur.");
  }
  session = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, user: tokens.user };
}

export async function logout() {
  const refreshToken = session && session.refreshToken;
  session = null;
  if (refreshToken) {
    await fetch("/auth/logout", { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify({ refreshToken }) }).catch(() => {});
  }
}

export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers.Authorization = `Bearer ${session.accessToken}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "NETWORK", "Le serveur ne répond pas.");
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.ok) return data;
  const error = (data && data.error) || { code: "HTTP_" + response.status, message: response.statusText };
  // Only an expired or invalid session sends the admin back to sign-in.
  if (response.status === 401 && error.code === "UNAUTHORIZED" && session) {
    session = null;
    onSignedOut("Votre session a expiré : reconnectez-vous.");
  }
  throw new ApiError(response.status, error.code, error.message);
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}
