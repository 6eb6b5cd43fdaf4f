// One incident: its state (acknowledge, resolve), diagnosis (root cause, confidence, evidence, suggested actions
// with the policy's verdicts: approve, execute, dry-run), similar incidents, deploy correlation, runbooks,
// alerts, timeline, actions taken and notifications sent. Each part loads on its own; a part not built shows so.
import { useState } from "preact/hooks";
import { post } from "../api.js";
import {
  html, useApi, Loaded, Badge, Time, Empty, KeyValues, ActionButton, Outcome, outcomeOf, percent, text,
} from "../components.js";
import { useLiveRefresh } from "../live.js";
import { incidentHref } from "../router.js";

const path = (id, rest = "") => `incidents/${encodeURIComponent(id)}${rest}`;

export function IncidentPage({ id }) {
  const incident = useApi(path(id));
  const [outcome, setOutcome] = useState(null);
  useLiveRefresh(incident.reload, ["incident.", "action.", "investigation."]);
  return html`
    <p><a href="#/incidents">← All incidents</a></p>
    <${Loaded} state=${incident}>${({ incident: i, metrics }) => html`
      <article aria-labelledby="incident-title" data-testid="incident-detail" data-incident-id=${i.id}>
        <header class="incident-head">
          <h1 id="incident-title">${i.title}</h1>
          <p class="badges"><${Badge} kind="state" value=${i.state} /> <${Badge} kind="severity" value=${i.severity} />
            <span>${i.service || "no service"}</span> · <span class="muted">${i.id}</span> · opened <${Time} iso=${i.created_at} /></p>
          ${i.description && html`<p>${i.description}</p>`}
          <div class="buttons">
            ${i.state === "open" && html`<${ActionButton} testid="acknowledge" run=${() => post(path(id, "/acknowledge"))}
              onDone=${(e) => { setOutcome(outcomeOf(e, "Acknowledged.")); incident.reload(); }}>Acknowledge<//>`}
            ${i.state !== "resolved" && html`<${ActionButton} testid="resolve" run=${() => post(path(id, "/resolve"))}
              onDone=${(e) => { setOutcome(outcomeOf(e, "Resolved.")); incident.reload(); }}>Resolve<//>`}
          </div>
          <${Outcome} outcome=${outcome} />
        </header>
        <${KeyValues} entries=${[
          ["Namespace", i.namespace], ["Pod", i.pod], ["Deployment", i.deployment], ["Alerts", i.alert_count],
          ["Group", i.group_id ? html`<a href=${incidentHref(i.group_id)}>${i.group_id}</a>` : null],
          ["Time to first response", metrics && metrics.time_to_first_response_minutes != null ? `${metrics.time_to_first_response_minutes.toFixed(1)} min` : null],
          ["Resolution time", metrics && metrics.resolution_time_minutes != null ? `${metrics.resolution_time_minutes.toFixed(1)} min` : null],
        ]} />
        <${Diagnosis} id=${id} />
        <div class="columns">
          <${Similar} id=${id} />
          <${DeployCorrelation} id=${id} />
        </div>
        <${Runbooks} id=${id} />
        <${Timeline} id=${id} />
        <div class="columns">
          <${ActionsTaken} id=${id} />
          <${Notifications} id=${id} />
        </div>
      </article>`}<//>`;
}

function Section({ title, children, testid }) {
  const slug = title.toLowerCase().replace(/[^a-z]+/g, "-");
  return html`<section aria-labelledby=${`h-${slug}`} class="card" data-testid=${testid}>
    <h2 id=${`h-${slug}`}>${title}</h2>${children}</section>`;
}

function Diagnosis({ id }) {
  const diagnosis = useApi(path(id, "/diagnosis"), { optional: true });
  const [outcome, setOutcome] = useState(null);
  useLiveRefresh(diagnosis.reload, ["investigation.", "approval.", "action."]);
  const investigate = html`<${ActionButton} testid="investigate" run=${() => post(path(id, "/investigate"))}
    onDone=${(e) => { setOutcome(outcomeOf(e, "Investigation started.")); diagnosis.reload(); }}>Investigate<//>`;
  if (diagnosis.notConfigured || (diagnosis.error && diagnosis.error.status === 404)) {
    return html`<${Section} title="Diagnosis" testid="diagnosis"><${Empty}>Not investigated yet.<//>${investigate}<${Outcome} outcome=${outcome} /><//>`;
  }
  return html`<${Section} title="Diagnosis" testid="diagnosis">
    <${Loaded} state=${diagnosis}>${(d) =>
      diagnosis.status === 202
        ? html`<p role="status">Investigation ${d.status || "queued"}… the diagnosis appears here when it is done.</p>`
        : html`<${DiagnosisBody} id=${id} d=${d} reload=${diagnosis.reload} />`}<//>
    ${diagnosis.status !== 202 && diagnosis.data && html`<p>${investigate}</p>`}
    <${Outcome} outcome=${outcome} /><//>`;
}

function evidence(d) {
  const lines = [...(d.evidence_lines || [])];
  for (const [k, v] of Object.entries(d.k8s_context || {})) lines.push(`${k}: ${text(v)}`);
  for (const line of (d.log_excerpt || "").split("\n")) if (line.trim()) lines.push(line);
  return lines;
}

function DiagnosisBody({ id, d, reload }) {
  const lines = evidence(d);
  return html`
    <p class="root-cause" data-testid="root-cause"><strong>Root cause:</strong> ${d.root_cause || "not determined"}</p>
    ${d.summary !== d.root_cause && html`<p data-testid="diagnosis-summary">${d.summary}</p>`}
    <p><strong>Confidence:</strong> <meter min="0" max="1" value=${d.confidence} aria-label="Confidence"></meter>
      <span data-testid="confidence">${percent(d.confidence)}</span></p>
    ${d.llm_error && html`<p class="note error">The model failed (${d.llm_error}); the analyzer answered.</p>`}
    <h3>Evidence</h3>
    ${lines.length ? html`<pre class="evidence" data-testid="evidence" tabindex="0">${lines.join("\n")}</pre>` : html`<${Empty}>No evidence lines were gathered.<//>`}
    ${d.findings && d.findings.length > 1 && html`<details data-testid="other-findings"><summary>Other findings (${d.findings.length - 1})</summary>
      <ul class="small">${d.findings.slice(1).map((f) => html`<li><strong>${percent(f.confidence)}</strong> ${f.root_cause}
        ${f.evidence_lines.length > 0 && html`<pre class="evidence" tabindex="0">${f.evidence_lines.join("\n")}</pre>`}</li>`)}</ul></details>`}
    ${d.not_gathered && d.not_gathered.length > 0 && html`<details><summary>Not gathered (${d.not_gathered.length})</summary>
      <ul class="small">${d.not_gathered.map((n) => html`<li>${n}</li>`)}</ul></details>`}
    ${d.matched_playbooks && d.matched_playbooks.length > 0 && html`<p><strong>Playbooks:</strong> ${d.matched_playbooks.join(", ")}</p>`}
    <h3>Suggested actions</h3>
    ${d.suggested_actions.length
      ? html`<ul class="actions">${d.suggested_actions.map((a) => html`<${SuggestedAction} id=${id} action=${a} reload=${reload} />`)}</ul>`
      : html`<${Empty}>No action suggested.<//>`}
    ${d.answer && html`<details><summary>Full answer</summary><pre class="answer" tabindex="0">${d.answer}</pre></details>`}`;
}

function SuggestedAction({ id, action: a, reload }) {
  const [outcome, setOutcome] = useState(null);
  const body = (extra) => ({ action: a.name, ...a.arguments, incident_id: id, ...extra });
  const done = (what) => (error, result) => {
    const r = result && result.data;
    // An approval's answer carries what approving did (`result`): say that, not only that it was approved.
    const carried = r && r.result;
    const said = carried
      ? `${carried.status}${carried.dry_run ? " (dry run)" : ""}${carried.message ? `: ${carried.message}` : ""}`
      : r && (r.message || r.status || (r.approval && `approval ${r.approval.status}`));
    setOutcome(outcomeOf(error, `${what}: ${said || "done"}`));
    reload();
  };
  const verdict = !a.allowed ? "denied" : a.approval_required ? "needs approval" : "allowed";
  return html`<li class="action" data-testid="suggested-action" data-action=${a.name}>
    <div><strong>${a.name.replace(/_/g, " ")}</strong> <code class="small">${Object.entries(a.arguments || {}).map(([k, v]) => `${k}=${text(v)}`).join(" ")}</code></div>
    ${a.description && html`<p class="small">${a.description}</p>`}
    <p class="small" data-testid="policy-verdict"><${Badge} kind="verdict" value=${verdict} /> ${a.dry_run ? "dry run" : "live"} · blast radius ${a.blast_radius}
      ${a.policy_name && html` · policy ${a.policy_name}`}${a.policy_reason && html`: ${a.policy_reason}`}
      ${a.approval_status && html` · approval <${Badge} kind="approval" value=${a.approval_status} />`}</p>
    <div class="buttons">
      ${a.approval_id && a.approval_status === "pending" && html`<${ActionButton} kind="primary" testid="approve-suggested"
        run=${() => post(`approvals/${encodeURIComponent(a.approval_id)}/approve`, {})} onDone=${done("Approved")}>Approve<//>`}
      ${a.allowed && a.approval_required && !a.approval_id && html`<${ActionButton} testid="request-approval"
        run=${() => post("approvals", body({}))} onDone=${done("Approval requested")}>Request approval<//>`}
      ${a.executable && a.allowed && html`<${ActionButton} testid="dry-run"
        run=${() => post("actions/execute", body({ dry_run: true }))} onDone=${done("Dry run")}>Dry-run<//>`}
      ${a.executable && a.allowed && html`<${ActionButton} kind="danger" testid="execute"
        run=${() => post("actions/execute", body({ dry_run: false }))} onDone=${done("Execute")}>Execute<//>`}
    </div>
    <${Outcome} outcome=${outcome} /></li>`;
}

function Similar({ id }) {
  const similar = useApi(path(id, "/similar"), { optional: true });
  return html`<${Section} title="Similar incidents" testid="similar">
    <${Loaded} state=${similar} what="Similar incidents">${(d) => d.similar_incidents.length
      ? html`<ul>${d.similar_incidents.map((s) => html`<li><a href=${incidentHref(s.id)}>${s.title}</a>
          <span class="muted small"> ${percent(s.similarity_score)} similar</span>
          <div class="small">${s.resolution ? html`Resolved by: ${s.resolution}` : html`<span class="muted">No resolution recorded.</span>`}</div></li>`)}</ul>`
      : html`<${Empty}>No similar past incident.<//>`}<//><//>`;
}

function DeployCorrelation({ id }) {
  const deploy = useApi(path(id, "/deploy-correlation"), { optional: true });
  return html`<${Section} title="Deploy correlation" testid="deploy-correlation">
    <${Loaded} state=${deploy} what="Deploy correlation">${(d) => html`<p>${d.message}</p>
      ${d.correlated_deploy && html`<${KeyValues} entries=${Object.entries(d.correlated_deploy).map(([k, v]) => [k.replace(/_/g, " "), text(v)])} />`}`}<//><//>`;
}

function Runbooks({ id }) {
  const runbooks = useApi(path(id, "/runbooks"), { optional: true });
  return html`<${Section} title="Matched runbooks" testid="runbooks">
    <${Loaded} state=${runbooks} what="Runbooks">${(d) => d.runbooks.length
      ? html`<ul>${d.runbooks.map((r) => html`<li><details><summary><strong>${r.name}</strong> <span class="muted small">${r.reason}</span></summary>
          <ol class="small">${(r.steps || []).map((s) => html`<li>${typeof s === "string" ? s : s.title || text(s)}</li>`)}</ol></details></li>`)}</ul>`
      : html`<${Empty}>No runbook matches this incident.<//>`}<//><//>`;
}

function Timeline({ id }) {
  const timeline = useApi(path(id, "/timeline"), { optional: true });
  useLiveRefresh(timeline.reload, ["incident.", "investigation.", "approval.", "action.", "notification."]);
  return html`<${Section} title="Alerts and timeline" testid="timeline">
    <${Loaded} state=${timeline} what="The timeline">${(d) => {
      const alerts = d.events.filter((e) => e.event_type === "alert_received");
      return html`
        <h3>Alerts (${alerts.length})</h3>
        ${alerts.length ? html`<ul class="small">${alerts.map((e) => html`<li><${Badge} kind="severity" value=${e.payload.severity} />
          ${e.payload.title} <span class="muted">(${e.payload.status}, ${e.payload.source})</span> <${Time} iso=${e.created_at} /></li>`)}</ul>` : html`<${Empty}>No alert recorded.<//>`}
        <h3>Timeline</h3>
        <ol class="timeline">${d.events.map((e) => html`<li><${Time} iso=${e.created_at} /> <strong>${e.event_type.replace(/_/g, " ")}</strong>
          <span class="muted"> by ${e.actor}</span>${e.payload && e.payload.summary ? html`: ${e.payload.summary}` : ""}</li>`)}</ol>`;
    }}<//><//>`;
}

function ActionsTaken({ id }) {
  const actions = useApi(path(id, "/actions"), { optional: true });
  useLiveRefresh(actions.reload, ["action.", "approval."]);
  return html`<${Section} title="Actions taken" testid="actions-taken">
    <${Loaded} state=${actions} what="Actions">${(d) => d.actions.length
      ? html`<ul>${d.actions.map((a) => html`<li data-testid="action-taken"><strong>${a.action}</strong> ${a.outcome}
          ${a.dry_run && html` <${Badge} kind="verdict" value="dry run" />`} <span class="muted small">by ${a.actor}</span> <${Time} iso=${a.created_at} /></li>`)}</ul>`
      : html`<${Empty}>No action taken yet.<//>`}<//><//>`;
}

function Notifications({ id }) {
  const sent = useApi(path(id, "/notifications"), { optional: true });
  useLiveRefresh(sent.reload, ["notification."]);
  return html`<${Section} title="Notifications sent" testid="notifications">
    <${Loaded} state=${sent} what="Notifications" hint="No channel delivers this workspace's events.">${(d) => d.notifications.length
      ? html`<ul>${d.notifications.map((n) => html`<li>${n.event} → ${n.channel_type || n.target_kind} <span class="muted">${n.channel || n.target_id || ""}</span>
          <${Badge} kind="delivery" value=${n.status} /> <${Time} iso=${n.created_at} /></li>`)}</ul>`
      : html`<${Empty}>No notification sent for this incident.<//>`}<//><//>`;
}
