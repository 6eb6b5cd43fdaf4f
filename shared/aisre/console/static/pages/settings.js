// Settings, read-only: what the platform works with (adapters), notification routing and channels, autonomy,
// escalation policies. Changes go through the API (or the deployment's parameters), not this page.
import { html, useApi, Loaded, Empty, Badge, KeyValues } from "../components.js";

const list = (items) => (items && items.length ? items.join(", ") : "none");

export function SettingsPage() {
  const adapters = useApi("adapters", { optional: true });
  const routes = useApi("notifications/routes", { optional: true });
  const channels = useApi("api/v1/notifications/channels", { optional: true });
  const autonomy = useApi("autonomy/status", { optional: true });
  const policies = useApi("oncall/escalation-policies", { optional: true });
  return html`
    <h1>Settings</h1>
    <p class="muted">Read-only: what this deployment and workspace are configured with.</p>
    <div class="columns">
      <section class="card" aria-labelledby="h-adapters"><h2 id="h-adapters">Adapters</h2>
        <${Loaded} state=${adapters} what="Adapters">${(a) => html`<${KeyValues} entries=${[
          ["Alert sources", list(a.alert_sources)], ["Log stores configured", list(a.configured.log_backends)],
          ["Metrics configured", list(a.configured.metrics_backends)], ["Cluster", a.configured.cluster ? "configured" : "none"],
          ["Model", a.configured.llm ? "configured" : "deterministic analyzer"], ["Actions", list(a.action_names)],
          ["Channel types in use", list(a.configured.notification_channels)]]} />`}<//></section>
      <section class="card" aria-labelledby="h-autonomy"><h2 id="h-autonomy">Autonomy</h2>
        <${Loaded} state=${autonomy} what="Autonomy">${(a) => html`<${KeyValues} entries=${[
          ["Enabled", a.enabled ? "yes" : "no"], ["Mode", a.mode], ["Approval required", a.approval_required ? "yes" : "no"],
          ["Dry run by default", a.default_dry_run ? "yes" : "no"], ["Actions", list(a.autonomous_actions)],
          ["Namespaces", list(a.allowed_namespaces) === "none" ? "those the policy allows" : list(a.allowed_namespaces)],
          ["Cycle", `every ${a.poll_interval_seconds} s, at most ${a.max_incidents_per_cycle} incidents`]]} />`}<//></section>
    </div>
    <section class="card" aria-labelledby="h-routes"><h2 id="h-routes">Notification routing</h2>
      <${Loaded} state=${routes} what="Routing">${(r) => html`
        <${KeyValues} entries=${Object.entries(r.default_rules).map(([severity, to]) => [severity, list(to)])} />
        <p class="small">Registered adapters: ${list(r.registered_adapters)}</p>
        ${r.rules.length ? html`<ul>${r.rules.map((rule) => html`<li>${rule.name} → ${list(rule.channels)} ${!rule.enabled && html`<${Badge} kind="state" value="disabled" />`}</li>`)}</ul>` : html`<${Empty}>No routing rule of this workspace.<//>`}`}<//>
    </section>
    <div class="columns">
      <section class="card" aria-labelledby="h-channels"><h2 id="h-channels">Channels</h2>
        <${Loaded} state=${channels} what="Channels">${(c) => c.channels.length
          ? html`<ul>${c.channels.map((ch) => html`<li>${ch.name} <span class="muted">(${ch.type})</span> ${!ch.enabled && html`<${Badge} kind="state" value="disabled" />`}</li>`)}</ul>`
          : html`<${Empty}>No channel configured.<//>`}<//></section>
      <section class="card" aria-labelledby="h-policies"><h2 id="h-policies">Escalation policies</h2>
        <${Loaded} state=${policies} what="Escalation policies">${(p) => p.policies.length
          ? html`<ul>${p.policies.map((policy) => html`<li>${policy.name || policy.id} <span class="muted small">${list(policy.services)}</span></li>`)}</ul>`
          : html`<${Empty}>No escalation policy.<//>`}<//></section>
    </div>`;
}
