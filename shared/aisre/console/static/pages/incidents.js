// Incidents: the live list (state, severity, service, age, group), filtered by state (the API's) and by severity,
// service and a search (over the loaded rows).
import { useState } from "preact/hooks";
import { html, useApi, Loaded, Badge, Time, Empty } from "../components.js";
import { useLiveRefresh } from "../live.js";
import { incidentHref } from "../router.js";

const STATES = ["", "open", "acknowledged", "resolved"];
const SEVERITIES = ["", "critical", "high", "warning", "info"];

export function IncidentsPage() {
  const [filters, setFilters] = useState({ state: "", severity: "", service: "", search: "" });
  const list = useApi("incidents", { query: { limit: 100, state: filters.state } });
  useLiveRefresh(list.reload, ["incident."]);
  const set = (name) => (event) => setFilters({ ...filters, [name]: event.target.value });
  const services = [...new Set(((list.data && list.data.incidents) || []).map((i) => i.service).filter(Boolean))].sort();

  return html`
    <h1>Incidents</h1>
    <form class="filters" role="search" aria-label="Filter incidents" onSubmit=${(e) => e.preventDefault()}>
      <label>State <select value=${filters.state} onChange=${set("state")} data-testid="filter-state">
        ${STATES.map((s) => html`<option value=${s}>${s || "any"}</option>`)}</select></label>
      <label>Severity <select value=${filters.severity} onChange=${set("severity")} data-testid="filter-severity">
        ${SEVERITIES.map((s) => html`<option value=${s}>${s || "any"}</option>`)}</select></label>
      <label>Service <select value=${filters.service} onChange=${set("service")} data-testid="filter-service">
        <option value="">any</option>${services.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
      <label class="grow">Search <input type="search" value=${filters.search} onInput=${set("search")}
        placeholder="title, service, id, label" data-testid="filter-search" /></label>
    </form>
    <${Loaded} state=${list}>${(data) => html`<${IncidentTable} incidents=${filter(data.incidents, filters)}
      total=${data.incidents.length} more=${Boolean(data.next_cursor)} />`}<//>`;
}

function filter(incidents, { severity, service, search }) {
  const needle = search.trim().toLowerCase();
  return incidents.filter(
    (i) =>
      (!severity || i.severity === severity) &&
      (!service || i.service === service) &&
      (!needle || [i.id, i.title, i.service, i.namespace, JSON.stringify(i.labels)].join(" ").toLowerCase().includes(needle)),
  );
}

function IncidentTable({ incidents, total, more }) {
  if (!total) return html`<${Empty}>No incidents. Alerts sent to <code>POST /webhook</code> become incidents here.<//>`;
  if (!incidents.length) return html`<${Empty}>No incident matches these filters.<//>`;
  return html`
    <div class="table-wrap">
    <table data-testid="incidents-table">
      <caption class="visually-hidden">Incidents, newest first</caption>
      <thead><tr><th scope="col">Incident</th><th scope="col">State</th><th scope="col">Severity</th>
        <th scope="col">Service</th><th scope="col">Age</th><th scope="col">Group</th><th scope="col">Alerts</th></tr></thead>
      <tbody>${incidents.map((i) => html`<tr data-testid="incident-row" data-incident-id=${i.id}>
        <td><a href=${incidentHref(i.id)}>${i.title}</a><div class="muted small">${i.id}</div></td>
        <td data-label="State"><${Badge} kind="state" value=${i.state} /></td>
        <td data-label="Severity"><${Badge} kind="severity" value=${i.severity} /></td>
        <td data-label="Service">${i.service || html`<span class="muted">—</span>`}</td>
        <td data-label="Age"><${Time} iso=${i.created_at} /></td>
        <td data-label="Group">${i.group_id ? html`<a href=${incidentHref(i.group_id)} title=${i.correlation_reason || ""}>${i.group_id}</a>` : html`<span class="muted">—</span>`}</td>
        <td class="num" data-label="Alerts">${i.alert_count}</td></tr>`)}
      </tbody>
    </table></div>
    ${more && html`<p class="muted">Showing the newest ${total}; filter by state to see others.</p>`}`;
}
