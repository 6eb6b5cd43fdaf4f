// The console's shell: config, sign-in, header (navigation, live state, workspace) and the current page.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get, request } from "./api.js";
import { SignIn, credentials, onSessionChange, signOut, signedIn, switchWorkspace } from "./auth.js";
import { html, ErrorNote, Loading } from "./components.js";
import { startLive, stopLive, useLiveState } from "./live.js";
import { PAGES, useRoute } from "./router.js";
import { IncidentsPage } from "./pages/incidents.js";

// Pages other than the first are loaded when opened: the first load carries only the incidents list.
const LAZY = {
  incident: () => import("./pages/incident.js").then((m) => m.IncidentPage),
  approvals: () => import("./pages/approvals.js").then((m) => m.ApprovalsPage),
  "dead-letters": () => import("./pages/deadletters.js").then((m) => m.DeadLettersPage),
  slos: () => import("./pages/slos.js").then((m) => m.SlosPage),
  oncall: () => import("./pages/oncall.js").then((m) => m.OnCallPage),
  activity: () => import("./pages/activity.js").then((m) => m.ActivityPage),
  settings: () => import("./pages/settings.js").then((m) => m.SettingsPage),
};
const loaded = { incidents: IncidentsPage };

function Page({ route }) {
  const [component, setComponent] = useState(() => loaded[route.name]);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (loaded[route.name]) return setComponent(() => loaded[route.name]);
    setComponent(null);
    LAZY[route.name]()
      .then((found) => {
        loaded[route.name] = found;
        setComponent(() => found);
      })
      .catch((e) => setError(e));
  }, [route.name]);
  useEffect(() => {
    const title = route.name === "incident" ? "Incident" : (PAGES.find((p) => p.name === route.name) || {}).label;
    document.title = `${title} · aisre console`;
  }, [route.name, route.params.id]);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!component) return html`<${Loading} />`;
  const Component = component;
  return html`<${Component} ...${route.params} />`;
}

function LiveIndicator() {
  const state = useLiveState();
  const label = state === "live" ? "Live" : state === "polling" ? "Polling" : "Connecting";
  return html`<span class=${`live live-${state}`} data-testid="live-state" role="status"
    title=${state === "live" ? "Updates arrive as they happen" : "Live events unavailable: the page refreshes every 5 s"}>
    <span class="dot" aria-hidden="true"></span>${label}</span>`;
}

function WorkspaceField({ workspace }) {
  const [value, setValue] = useState(workspace);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setValue(workspace), [workspace]);
  function submit(event) {
    event.preventDefault();
    setInvalid(!switchWorkspace(value.trim()));
  }
  return html`<form class="workspace" onSubmit=${submit} aria-label="Workspace">
    <label for="workspace-switch" class="visually-hidden">Workspace</label>
    <input id="workspace-switch" value=${value} size="10" aria-invalid=${invalid} data-testid="workspace-switch"
      onInput=${(e) => setValue(e.target.value)} title="Workspace (X-Workspace-Id): press Enter to switch" />
  </form>`;
}

function Shell({ config, route }) {
  const { workspace } = credentials();
  const current = route.name === "incident" ? "incidents" : route.name;
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById("main").focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/incidents">aisre</a>
      <nav aria-label="Console pages">
        <ul>${PAGES.map((page) => html`<li><a href=${page.path} aria-current=${page.name === current ? "page" : undefined}
          data-testid=${`nav-${page.name}`}>${page.label}</a></li>`)}</ul>
      </nav>
      <div class="session">
        <${LiveIndicator} />
        <${WorkspaceField} workspace=${workspace} />
        ${!config.dev_mode && html`<button type="button" onClick=${() => signOut("")} data-testid="sign-out">Sign out</button>`}
      </div>
    </header>
    <main id="main" tabindex="-1"><${Page} key=${workspace} route=${route} /></main>
    <footer class="muted">aisre ${config.version}${config.dev_mode ? " · dev mode (no API keys)" : ""}</footer>`;
}

function App() {
  const [config, setConfig] = useState(null);
  const [failure, setFailure] = useState(null);
  const [, setTick] = useState(0);
  const route = useRoute();
  useEffect(() => onSessionChange(() => setTick((n) => n + 1)), []);
  useEffect(() => {
    get("console/config.json").then(({ data }) => setConfig(data), setFailure);
  }, []);
  const ready = config && signedIn(config.dev_mode);
  useEffect(() => {
    if (ready) startLive(config.live_url, credentials);
    else stopLive();
  }, [ready, config, credentials().workspace]);
  if (failure) return html`<main id="main"><${ErrorNote} error=${failure} /></main>`;
  if (!config) return html`<main id="main"><${Loading} label="Starting" /></main>`;
  if (!ready) {
    const verify = (apiKey, workspace) => request("GET", "incidents", { query: { limit: 1 }, auth: { apiKey, workspace } });
    return html`<${SignIn} devMode=${config.dev_mode} verify=${verify} />`;
  }
  return html`<${Shell} config=${config} route=${route} />`;
}

const root = document.getElementById("app");
root.replaceChildren(); // the boot message goes; Preact renders into an empty element
render(html`<${App} />`, root);
