// The gateway's public API, called with the operator's credential from sessionStorage.

const STORED = "apex.console.credential";

export const credential = () => sessionStorage.getItem(STORED);
export const forget = () => sessionStorage.removeItem(STORED);
export const remember = (value) => sessionStorage.setItem(STORED, value);

/** An API key (`apex_<id>_<secret>`) goes in `x-apex-key`; anything else is a bearer JWT. */
function authorization(value) {
  return value.startsWith("apex_") ? { "x-apex-key": value } : { Authorization: `Bearer ${value}` };
}

/** Who the credential names, as far as the page can tell without asking. */
export function describe(value) {
  if (value.startsWith("apex_")) return { label: `API key ${value.split("_")[1] || ""}` };
  try {
    const part = value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part));
    const roles = Array.isArray(claims.roles) ? claims.roles.join(", ") : "";
    return { label: `${claims.sub} @ ${claims.account}`, roles, account: claims.account };
  } catch {
    return { label: "bearer token" };
  }
}

export class ApiError extends Error {
  constructor(status, errors) {
    const messages = errors.map((e) => e.message).filter(Boolean);
    super(messages.join("; ") || `the gateway answered ${status}`);
    this.status = status;
    this.errors = errors;
  }
}

/** The `result` of a JSON answer; an `ApiError` for any status that is not 2xx. */
export async function call(method, path, { query = {}, body, credentialValue, signal } = {}) {
  const given = credentialValue ?? credential();
  if (!given) throw new ApiError(401, [{ message: "not signed in" }]);
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    for (const one of [value].flat())
      if (one !== undefined && one !== null && one !== "") url.searchParams.append(name, one);
  }
  const headers = { Accept: "application/json", ...authorization(given) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    credentials: "omit",
    signal,
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (answer && answer.errors) || []);
    if (response.status === 401 && credentialValue === undefined)
      window.dispatchEvent(new CustomEvent("apex:signed-out", { detail: error.message }));
    throw error;
  }
  return answer ? answer.result : null;
}
