// Shared pieces of the pages: htm bound to Preact, the data hook, loading/error/empty states, badges, charts.
import { h } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { get } from "./api.js";

export const html = htm.bind(h);

/** GET `path` (null: nothing to load) with loading, error and data; `reload()` refetches quietly (the data stays
 * on screen). With `optional`, a 404 or 501 means the part is not built or not configured: `notConfigured`. */
export function useApi(path, { query, optional = false } = {}) {
  const [state, setState] = useState({ loading: Boolean(path) });
  const sequence = useRef(0);
  const queryKey = JSON.stringify(query || {});
  const load = useCallback(
    async (quiet) => {
      const mine = ++sequence.current;
      if (!path) return setState({ loading: false });
      if (!quiet) setState((previous) => ({ ...previous, loading: true, error: null }));
      try {
        const { status, data } = await get(path, JSON.parse(queryKey));
        if (mine === sequence.current) setState({ loading: false, status, data });
      } catch (error) {
        if (mine !== sequence.current || error.status === 401) return;
        const missing = optional && (error.status === 404 || error.status === 501);
        setState((previous) => ({ ...previous, loading: false, error: missing ? null : error, notConfigured: missing }));
      }
    },
    [path, queryKey, optional],
  );
  useEffect(() => {
    load(false);
  }, [load]);
  return { ...state, reload: () => load(true) };
}

export function Loading({ label = "Loading" }) {
  return html`<p class="muted" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${label}…</p>`;
}

export function ErrorNote({ error, retry }) {
  return html`<div class="note error" role="alert">
    <strong>Could not load this.</strong> ${error.message}${error.status ? ` (HTTP ${error.status})` : ""}
    ${retry && html` <button type="button" onClick=${retry}>Retry</button>`}
  </div>`;
}

export function Empty({ children }) {
  return html`<p class="note empty">${children}</p>`;
}

export function NotConfigured({ what, children }) {
  return html`<div class="note not-configured" data-testid="not-configured">
    <strong>${what} not configured.</strong> ${children}
  </div>`;
}

/** A loaded part: loading, error, not configured, or `children(data)`. */
export function Loaded({ state, what = "This", hint = "", children }) {
  if (state.notConfigured) return html`<${NotConfigured} what=${what}>${hint}<//>`;
  if (state.error) return html`<${ErrorNote} error=${state.error} retry=${state.reload} />`;
  if (state.data === undefined) return html`<${Loading} />`;
  return children(state.data);
}

export function Badge({ kind, value }) {
  if (value === null || value === undefined || value === "") return html`<span class="muted">—</span>`;
  return html`<span class=${`badge ${kind}-${String(value).replace(/[^a-z0-9_-]/gi, "")}`}>${String(value).replace(/_/g, " ")}</span>`;
}

const UNITS = [
  [86400, "d"],
  [3600, "h"],
  [60, "m"],
];

export function age(iso, now = Date.now()) {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  for (const [size, unit] of UNITS) if (seconds >= size) return `${Math.floor(seconds / size)}${unit}`;
  return `${seconds}s`;
}

export function Time({ iso }) {
  if (!iso) return html`<span class="muted">—</span>`;
  const date = new Date(iso);
  return html`<time datetime=${iso} title=${date.toLocaleString()}>${age(iso)} ago</time>`;
}

export const percent = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);

/** A button whose click is an API call: busy while it runs, its outcome reported through `onDone(result|error)`. */
export function ActionButton({ run, onDone, children, kind = "", label, testid }) {
  const [busy, setBusy] = useState(false);
  async function click() {
    setBusy(true);
    try {
      const result = await run();
      onDone && onDone(null, result);
    } catch (error) {
      onDone && onDone(error, null);
    } finally {
      setBusy(false);
    }
  }
  return html`<button type="button" class=${kind} onClick=${click} disabled=${busy} aria-busy=${busy}
    aria-label=${label} data-testid=${testid}>${busy ? "Working…" : children}</button>`;
}

/** What an action button did, said in a live region. */
export function Outcome({ outcome }) {
  if (!outcome) return null;
  return html`<p class=${`outcome ${outcome.ok ? "ok" : "error"}`} role="status" data-testid="outcome">${outcome.text}</p>`;
}

export function outcomeOf(error, fallback) {
  if (error) return { ok: false, text: `${error.message}${error.status ? ` (HTTP ${error.status})` : ""}` };
  return { ok: true, text: fallback };
}

/** Vertical bars in inline SVG: [{label, values: [n, ...]}], one colour per series. No chart library. */
export function BarChart({ title, points, series, height = 120 }) {
  const max = Math.max(1, ...points.flatMap((p) => p.values));
  const barWidth = 100 / Math.max(1, points.length);
  const each = barWidth / (series.length + 1);
  return html`<figure class="chart">
    <svg viewBox=${`0 0 100 ${height}`} preserveAspectRatio="none" role="img" aria-label=${title}>
      ${points.map((point, i) =>
        point.values.map((value, s) => {
          const barHeight = (value / max) * (height - 4);
          return html`<rect class=${`series-${s}`} x=${i * barWidth + each * (s + 0.5)} y=${height - barHeight}
            width=${each} height=${barHeight}><title>${point.label}: ${series[s]} ${value}</title></rect>`;
        }),
      )}
    </svg>
    <figcaption>
      ${title}: ${series.map((name, s) => html`<span class="legend"><span class=${`swatch series-${s}`}></span>${name}</span>`)}
    </figcaption>
    <table class="visually-hidden"><caption>${title}</caption>
      <thead><tr><th scope="col">Label</th>${series.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
      <tbody>${points.map((p) => html`<tr><th scope="row">${p.label}</th>${p.values.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody>
    </table>
  </figure>`;
}

/** Horizontal bars of a {name: count} object, largest first. */
export function Bars({ title, counts }) {
  const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return html`<${Empty}>No ${title.toLowerCase()} in this window.<//>`;
  const max = Math.max(1, ...entries.map((e) => e[1]));
  return html`<figure class="hbars"><figcaption>${title}</figcaption>
    <ul>${entries.map(([name, count]) => html`<li>
      <span class="hbar-label">${name}</span>
      <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" height="10" width=${(count / max) * 100} /></svg>
      <span class="hbar-value">${count}</span></li>`)}
    </ul></figure>`;
}

export function KeyValues({ entries }) {
  const shown = entries.filter(([, v]) => v !== undefined);
  return html`<dl class="kv">${shown.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === "" ? "—" : v}</dd>`)}</dl>`;
}

export const text = (value) => (typeof value === "string" ? value : JSON.stringify(value));
