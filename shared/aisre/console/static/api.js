// Every data call: the platform's HTTP API, relative to where the console is served (an API Gateway stage
// included), with the key as X-API-Key and the workspace as X-Workspace-Id. A 401 sends the person back to sign in.
import { credentials, signOut } from "./auth.js";

/** The API's root: the folder of the page (/console -> /, /dev/console -> /dev/). */
export const apiBase = new URL(".", document.baseURI);

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

function url(path, query) {
  const target = new URL(path.replace(/^\//, ""), apiBase);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
  }
  return target;
}

/** fetch with the session's credentials, or the ones given (the sign-in's check). Resolves to {status, data}. */
export async function request(method, path, { query, body, auth } = {}) {
  const { apiKey, workspace } = auth || credentials();
  const headers = { Accept: "application/json", "X-Workspace-Id": workspace };
  if (apiKey) headers["X-API-Key"] = apiKey;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "The platform cannot be reached.", null);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = text;
  }
  if (!response.ok) {
    const message = (data && data.error && data.error.message) || (data && data.detail) || response.statusText;
    if (response.status === 401 && !auth) signOut("Your session ended or the key was refused: sign in again.");
    throw new ApiError(response.status, String(message), data);
  }
  return { status: response.status, data };
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body) => request("POST", path, { body: body === undefined ? {} : body });
