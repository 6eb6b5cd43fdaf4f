// The sign-in: an API key (today's credential) and a workspace, kept in sessionStorage, never in a URL.
// Its own module on purpose: a user sign-in (identity work) replaces this file, not the pages.
import { h } from "preact";
import { useState } from "preact/hooks";
import htm from "htm";

const html = htm.bind(h);

const KEY = "aisre.apiKey";
const WORKSPACE = "aisre.workspace";
const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const listeners = new Set();
let notice = "";

export function credentials() {
  return { apiKey: sessionStorage.getItem(KEY), workspace: sessionStorage.getItem(WORKSPACE) || "default" };
}

/** Dev mode (no keys configured) asks for no sign-in. */
export function signedIn(devMode) {
  return devMode || Boolean(sessionStorage.getItem(KEY));
}

/** Another workspace, same key (dev mode's only choice). */
export function switchWorkspace(workspace) {
  if (!WORKSPACE_ID.test(workspace)) return false;
  sessionStorage.setItem(WORKSPACE, workspace);
  listeners.forEach((fn) => fn());
  return true;
}

export function signIn(apiKey, workspace) {
  if (apiKey) sessionStorage.setItem(KEY, apiKey);
  sessionStorage.setItem(WORKSPACE, workspace);
  notice = "";
  listeners.forEach((fn) => fn());
}

/** Forget the key (a 401, or the person signs out); `message` is shown on the sign-in form. */
export function signOut(message = "") {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(WORKSPACE);
  notice = message;
  listeners.forEach((fn) => fn());
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The form. `verify(key, workspace)` makes one API call with them and throws when they are refused. */
export function SignIn({ devMode, verify }) {
  const [key, setKey] = useState("");
  const [workspace, setWorkspace] = useState(credentials().workspace);
  const [error, setError] = useState(notice);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const ws = workspace.trim() || "default";
    if (!devMode && !key.trim()) return setError("Enter an API key.");
    if (!WORKSPACE_ID.test(ws)) return setError("A workspace is 1-64 letters, digits, '.', '_' or '-'.");
    setBusy(true);
    setError("");
    try {
      await verify(devMode ? null : key.trim(), ws);
      signIn(devMode ? null : key.trim(), ws);
    } catch (e) {
      setError(e.status === 401 ? "That key was refused." : e.status === 404 ? `No workspace ${ws} for this key.` : e.message);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <main id="main" class="signin">
      <form class="card" onSubmit=${submit} aria-labelledby="signin-title" data-testid="signin-form">
        <h1 id="signin-title">Sign in to aisre</h1>
        ${devMode
          ? html`<p>Dev mode: no API keys are configured, so none is asked for.</p>`
          : html`<p>Use an API key (AI_SRE_API_KEYS). It is kept in this tab's session storage only.</p>`}
        ${error && html`<p class="error" role="alert" data-testid="signin-error">${error}</p>`}
        ${!devMode && html`
          <label for="api-key">API key</label>
          <input id="api-key" name="api-key" type="password" autocomplete="current-password" required
            value=${key} onInput=${(e) => setKey(e.target.value)} />`}
        <label for="workspace">Workspace</label>
        <input id="workspace" name="workspace" autocomplete="off" value=${workspace}
          onInput=${(e) => setWorkspace(e.target.value)} />
        <button type="submit" class="primary" disabled=${busy} id="signin-submit">${busy ? "Checking…" : "Sign in"}</button>
      </form>
    </main>`;
}
