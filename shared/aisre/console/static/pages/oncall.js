// On-call: who is on call now and next on each schedule (its shifts over the coming week), and who a service's
// escalation policy pages now.
import { useState } from "preact/hooks";
import { get } from "../api.js";
import { html, useApi, Loaded, Empty, ErrorNote, NotConfigured, Time } from "../components.js";

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function OnCallPage() {
  const schedules = useApi("oncall/schedules", { optional: true });
  return html`
    <h1>On-call</h1>
    <${ServiceLookup} />
    <h2>Schedules</h2>
    <${Loaded} state=${schedules} what="On-call" hint="No on-call schedules are served here.">${(d) => d.schedules.length
      ? html`<ul class="cards">${d.schedules.map((s) => html`<${Schedule} schedule=${s} />`)}</ul>`
      : html`<${Empty}>No on-call schedule. Create one with <code>POST /oncall/schedules</code>.<//>`}<//>`;
}

function Schedule({ schedule }) {
  const now = new Date();
  const shifts = useApi(`oncall/schedules/${encodeURIComponent(schedule.id)}/shifts`, {
    query: { from: now.toISOString(), to: new Date(now.getTime() + WEEK_MS).toISOString() },
    optional: true,
  });
  return html`<li class="card" data-testid="schedule"><h3>${schedule.name} <span class="muted small">${schedule.time_zone}</span></h3>
    <${Loaded} state=${shifts} what="Shifts">${(d) => {
      const current = d.shifts.find((s) => Date.parse(s.start) <= Date.now() && Date.now() < Date.parse(s.end));
      const next = d.shifts.find((s) => Date.parse(s.start) > Date.now() && (!current || s.participant !== current.participant));
      return html`<dl class="kv">
        <dt>Now</dt><dd data-testid="oncall-now">${current ? html`<strong>${current.participant}</strong> until <time datetime=${current.end}>${new Date(current.end).toLocaleString()}</time>` : "nobody"}</dd>
        <dt>Next</dt><dd data-testid="oncall-next">${next ? html`${next.participant} from <time datetime=${next.start}>${new Date(next.start).toLocaleString()}</time>` : "nobody in the coming week"}</dd>
      </dl>`;
    }}<//></li>`;
}

function ServiceLookup() {
  const [service, setService] = useState("");
  const [answer, setAnswer] = useState(null);
  async function submit(event) {
    event.preventDefault();
    if (!service.trim()) return;
    setAnswer({ loading: true });
    try {
      setAnswer({ data: (await get("oncall/current", { service: service.trim() })).data });
    } catch (error) {
      setAnswer(error.status === 404 ? { missing: error.message } : { error });
    }
  }
  return html`<section class="card" aria-labelledby="lookup-title">
    <h2 id="lookup-title">Who is paged for a service</h2>
    <form class="filters" onSubmit=${submit}>
      <label class="grow">Service <input value=${service} onInput=${(e) => setService(e.target.value)} data-testid="oncall-service" /></label>
      <button type="submit">Look up</button>
    </form>
    ${answer && answer.loading && html`<p role="status">Looking up…</p>`}
    ${answer && answer.missing && html`<${NotConfigured} what="On-call for this service">${answer.missing}.<//>`}
    ${answer && answer.error && html`<${ErrorNote} error=${answer.error} />`}
    ${answer && answer.data && html`<dl class="kv" role="status">
      <dt>On call</dt><dd>${answer.data.oncall || "nobody"}${answer.data.until && html` until <${Time} iso=${answer.data.until} />`}</dd>
      <dt>Team</dt><dd>${answer.data.team}</dd>
      <dt>Escalates to</dt><dd>${answer.data.escalation_contact || "—"}</dd>
      <dt>Responders</dt><dd>${(answer.data.responders || []).map((r) => (typeof r === "string" ? r : r.name || JSON.stringify(r))).join(", ") || "—"}</dd>
    </dl>`}
  </section>`;
}
