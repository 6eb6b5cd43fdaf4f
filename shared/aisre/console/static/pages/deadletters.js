// Dead letters: payloads the intake could not take (kept with the error), each replayable once fixed upstream.
import { useState } from "preact/hooks";
import { post } from "../api.js";
import { html, useApi, Loaded, Time, Empty, ActionButton, Outcome, outcomeOf } from "../components.js";
import { useLiveRefresh } from "../live.js";
import { incidentHref } from "../router.js";

export function DeadLettersPage() {
  const letters = useApi("webhook/dead-letter", { query: { limit: 100 } });
  useLiveRefresh(letters.reload, ["system."]);
  return html`
    <h1>Dead letters</h1>
    <p class="muted">Alert payloads the platform could not process, with the reason. Replay one after fixing its cause.</p>
    <${Loaded} state=${letters}>${(d) => d.entries.length
      ? html`<ul class="cards" data-testid="dead-letters">${d.entries.map((e) => html`<${Letter} entry=${e} reload=${letters.reload} />`)}</ul>`
      : html`<${Empty}>No dead letters.<//>`}<//>`;
}

function Letter({ entry: e, reload }) {
  const [outcome, setOutcome] = useState(null);
  const done = (error, result) => {
    const r = result && result.data && result.data.result;
    setOutcome(outcomeOf(error, r && r.incident_id ? `Replayed: incident ${r.incident_id}` : "Replayed."));
    reload();
  };
  const payload = typeof e.payload === "string" ? e.payload : JSON.stringify(e.payload, null, 2);
  return html`<li class="card" data-testid="dead-letter" data-entry-id=${e.id}>
    <h2 class="h3">${e.source} <span class="muted small">HTTP ${e.status_code} · ${e.error_type}</span></h2>
    <p>${e.error}</p>
    <p class="small muted">Received <${Time} iso=${e.timestamp} /> · ${e.size_bytes} bytes · via ${e.channel}
      · replayed ${e.replay_count} time${e.replay_count === 1 ? "" : "s"}
      ${e.replay_result && e.replay_result.incident_id && html` · <a href=${incidentHref(e.replay_result.incident_id)}>${e.replay_result.incident_id}</a>`}</p>
    <details><summary>Payload</summary><pre class="small" tabindex="0">${payload}</pre></details>
    <div class="buttons"><${ActionButton} testid="replay" label=${`Replay ${e.id}`}
      run=${() => post(`webhook/dead-letter/${encodeURIComponent(e.id)}/replay`)} onDone=${done}>Replay<//></div>
    <${Outcome} outcome=${outcome} /></li>`;
}
