// Activity: the platform's overview (counts, health, recent activity) and the analytics' charts, as inline SVG.
import { useState } from "preact/hooks";
import { html, useApi, Loaded, Empty, Badge, Time, BarChart, Bars, KeyValues, percent } from "../components.js";
import { useLiveRefresh } from "../live.js";
import { incidentHref } from "../router.js";

const minutes = (value) => (value === null || value === undefined ? "—" : `${value.toFixed(1)} min`);

export function ActivityPage() {
  const [days, setDays] = useState(7);
  const overview = useApi("platform/overview", { query: { days }, optional: true });
  const analytics = useApi("api/v1/analytics/overview", { query: { days }, optional: true });
  const timeline = useApi("api/v1/analytics/tasks/timeline", { query: { days }, optional: true });
  useLiveRefresh(overview.reload, ["incident.", "approval.", "action."]);
  return html`
    <h1>Activity</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Window">
      <label>Window <select value=${days} onChange=${(e) => setDays(Number(e.target.value))} data-testid="activity-days">
        ${[1, 7, 14, 30].map((n) => html`<option value=${n}>${n} day${n > 1 ? "s" : ""}</option>`)}</select></label>
    </form>
    <${Loaded} state=${overview} what="The overview">${(o) => html`
      <div class="stats" data-testid="overview">
        <div class="stat"><span class="stat-value">${o.incidents.total}</span> incidents</div>
        <div class="stat"><span class="stat-value">${o.active.open}</span> open</div>
        <div class="stat"><span class="stat-value">${o.active.acknowledged}</span> acknowledged</div>
        <div class="stat"><span class="stat-value">${o.approvals.pending}</span> approvals waiting</div>
        <div class="stat">health <${Badge} kind="health" value=${o.health.status} /></div>
      </div>`}<//>
    <div class="columns">
      <section class="card" aria-labelledby="h-trend"><h2 id="h-trend">Incidents per day</h2>
        <${Loaded} state=${timeline} what="Analytics">${(t) => html`<${BarChart} title="Created and resolved per day"
          series=${["created", "resolved"]} points=${t.timeline.map((p) => ({ label: p.date, values: [p.created, p.resolved] }))} />`}<//>
      </section>
      <section class="card" aria-labelledby="h-response"><h2 id="h-response">Response</h2>
        <${Loaded} state=${analytics} what="Analytics">${(a) => html`
          <${KeyValues} entries=${[["MTTA", minutes(a.mtta_minutes)], ["MTTR", minutes(a.mttr_minutes)],
            ["Alerts received", a.alerts_received], ["Alerts per incident", a.compression_ratio == null ? "—" : a.compression_ratio.toFixed(1)],
            ["Resolved share", percent(a.tasks.completion_rate)], ["Auto-resolved share", percent(a.auto_resolved_share)]]} />
          <${Bars} title="By severity" counts=${a.by_severity} />
          <${Bars} title="By service" counts=${a.by_service} />`}<//>
      </section>
    </div>
    <section class="card" aria-labelledby="h-recent"><h2 id="h-recent">Recent activity</h2>
      <${Loaded} state=${overview} what="Activity">${(o) => o.recent_activity.length
        ? html`<ul data-testid="recent-activity">${o.recent_activity.map((r) => html`<li>
            <strong>${r.action}</strong> ${r.outcome} <span class="muted">by ${r.actor}</span>
            ${r.dry_run && html` <${Badge} kind="verdict" value="dry run" />`}
            ${r.incident_id && html` · <a href=${incidentHref(r.incident_id)}>${r.incident_id}</a>`} <${Time} iso=${r.created_at} /></li>`)}</ul>`
        : html`<${Empty}>No activity in this window.<//>`}<//>
    </section>`;
}
