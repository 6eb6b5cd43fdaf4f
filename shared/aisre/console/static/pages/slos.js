// SLOs: budgets and burn. The platform serves no SLOs yet (GET /slo answers 404): then the page says so.
import { html, useApi, Loaded, Empty, percent } from "../components.js";

export function SlosPage() {
  const slos = useApi("slo", { optional: true });
  return html`
    <h1>SLOs</h1>
    <${Loaded} state=${slos} what="SLOs"
      hint="This platform does not track service level objectives yet: once SLOs are defined, their error budgets and burn rates appear here.">
      ${(d) => {
        const list = Array.isArray(d) ? d : d.slos || [];
        return list.length
          ? html`<ul class="cards">${list.map((s) => html`<li class="card"><h2 class="h3">${s.name}</h2>
              <p>Target ${percent(s.target)} · budget remaining ${percent(s.budget_remaining)}</p></li>`)}</ul>`
          : html`<${Empty}>No SLO defined.<//>`;
      }}<//>`;
}
