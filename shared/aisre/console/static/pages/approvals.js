// Approvals: the queue waiting for a person (approve carries the action out, under the policy), and past decisions.
import { useState } from "preact/hooks";
import { post } from "../api.js";
import { html, useApi, Loaded, Badge, Time, Empty, ActionButton, Outcome, outcomeOf, text } from "../components.js";
import { useLiveRefresh } from "../live.js";
import { incidentHref } from "../router.js";

export function ApprovalsPage() {
  const [status, setStatus] = useState("pending");
  // Decided here, with what deciding did: kept in view after the queue (refreshed live) has let them go, so the
  // person reads the outcome of their own click.
  const [decided, setDecided] = useState({});
  const approvals = useApi("approvals", { query: { status, limit: 100 } });
  useLiveRefresh(approvals.reload, ["approval.", "action."]);
  const remember = (approval, outcome) => setDecided((kept) => ({ ...kept, [approval.id]: { approval, outcome } }));
  const choose = (value) => { setDecided({}); setStatus(value); };
  const shown = (listed) => [
    ...Object.values(decided).map((k) => k.approval).filter((a) => !listed.some((l) => l.id === a.id)),
    ...listed,
  ];
  return html`
    <h1>Approvals</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filter approvals">
      <label>Status <select value=${status} onChange=${(e) => choose(e.target.value)} data-testid="approval-status">
        ${["pending", "approved", "rejected", "expired"].map((s) => html`<option value=${s}>${s || "any"}</option>`)}</select></label>
    </form>
    <${Loaded} state=${approvals}>${(d) => shown(d.approvals).length
      ? html`<ul class="cards" data-testid="approvals-list">${shown(d.approvals).map((a) => html`<${Approval} key=${a.id}
          approval=${a} kept=${decided[a.id]} remember=${remember} />`)}</ul>`
      : html`<${Empty}>${status === "pending" ? "Nothing waits for approval." : "No approval here."}<//>`}<//>`;
}

function Approval({ approval: a, kept, remember }) {
  const [outcome, setOutcome] = useState(kept ? kept.outcome : null);
  const [comment, setComment] = useState("");
  const base = `approvals/${encodeURIComponent(a.id)}`;
  const done = (what) => (error, result) => {
    const r = result && result.data;
    const carried = r && r.result ? ` · ${r.result.status || ""} ${r.result.dry_run ? "(dry run)" : ""}${r.result.message ? `: ${r.result.message}` : ""}` : "";
    const said = outcomeOf(error, `${what}${carried}`);
    setOutcome(said);
    if (!error) remember((r && r.approval) || a, said);
  };
  return html`<li class="card" data-testid="approval" data-approval-id=${a.id}>
    <h2 class="h3">${a.action.replace(/_/g, " ")} <${Badge} kind="approval" value=${a.status} /></h2>
    <p><code class="small">${Object.entries(a.arguments || {}).map(([k, v]) => `${k}=${text(v)}`).join(" ")}</code></p>
    <p class="small">${a.reason}${a.policy_name && ` (policy ${a.policy_name})`}</p>
    <p class="small muted">Asked by ${a.requested_by} <${Time} iso=${a.requested_at} /> · ${a.source}
      ${a.incident_id && html` · <a href=${incidentHref(a.incident_id)}>${a.incident_id}</a>`}
      ${a.decided_by && html` · decided by ${a.decided_by}`}</p>
    ${a.status === "pending" && html`
      <label for=${`comment-${a.id}`}>Comment (optional)</label>
      <input id=${`comment-${a.id}`} value=${comment} onInput=${(e) => setComment(e.target.value)} />
      <div class="buttons">
        <${ActionButton} kind="primary" testid="approve" label=${`Approve ${a.action}`}
          run=${() => post(`${base}/approve`, comment ? { comment } : {})} onDone=${done("Approved")}>Approve<//>
        <${ActionButton} kind="danger" testid="reject" label=${`Reject ${a.action}`}
          run=${() => post(`${base}/reject`, comment ? { comment } : {})} onDone=${done("Rejected")}>Reject<//>
      </div>`}
    <${Outcome} outcome=${outcome} />
  </li>`;
}
