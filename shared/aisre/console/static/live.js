// Live updates: the platform's WebSocket (config.live_url, or this origin's /ws). While it is down, the page's
// data is polled every 5 s instead; the header shows which ("Live" / "Polling").
import { useEffect, useRef, useState } from "preact/hooks";
import { apiBase } from "./api.js";

const POLL_MS = 5000;
const MAX_BACKOFF_MS = 30000;
const listeners = new Set();
const stateListeners = new Set();
let state = "connecting";
let socket = null;
let pollTimer = null;
let retryTimer = null;
let backoff = 1000;
let session = null;

function setState(next) {
  if (next === state) return;
  state = next;
  stateListeners.forEach((fn) => fn(state));
  if (state === "live") stopPolling();
  else startPolling();
}

function emit(message) {
  listeners.forEach((fn) => {
    try {
      fn(message);
    } catch (e) {
      console.error(e);
    }
  });
}

function startPolling() {
  // A hidden tab is not polled: nobody is looking, and the next visible tick catches up.
  if (!pollTimer) pollTimer = setInterval(() => document.hidden || emit({ type: "poll" }), POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

function socketUrl(liveUrl) {
  const target = liveUrl ? new URL(liveUrl) : new URL("ws", apiBase);
  if (target.protocol === "http:") target.protocol = "ws:";
  if (target.protocol === "https:") target.protocol = "wss:";
  return target.href;
}

function connect() {
  clearTimeout(retryTimer);
  if (!session) return;
  let opened;
  try {
    opened = new WebSocket(socketUrl(session.liveUrl));
  } catch (e) {
    return scheduleReconnect();
  }
  socket = opened;
  opened.onopen = () => {
    const { apiKey, workspace } = session.credentials();
    opened.send(JSON.stringify({ type: "auth", api_key: apiKey || "", workspace_id: workspace }));
  };
  opened.onmessage = (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    if (data.type === "welcome") opened.send(JSON.stringify({ type: "subscribe", events: ["*"] }));
    else if (data.type === "subscribed") {
      backoff = 1000;
      setState("live");
    } else if (data.type === "ping") opened.send(JSON.stringify({ type: "pong" }));
    else if (data.type === "event") emit(data);
  };
  opened.onclose = () => {
    if (socket !== opened) return;
    socket = null;
    setState("polling");
    scheduleReconnect();
  };
  opened.onerror = () => opened.close();
}

function scheduleReconnect() {
  setState("polling");
  if (!session) return;
  retryTimer = setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
}

/** Start (or restart, for a new session) the live connection. `credentials()` is read at each (re)connect. */
export function startLive(liveUrl, credentials) {
  stopLive();
  session = { liveUrl, credentials };
  backoff = 1000;
  startPolling(); // until the socket says it is subscribed
  connect();
}

export function stopLive() {
  session = null;
  clearTimeout(retryTimer);
  stopPolling();
  if (socket) {
    const closing = socket;
    socket = null;
    closing.close();
  }
  state = "connecting";
}

export function useLiveState() {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    stateListeners.add(setCurrent);
    setCurrent(state);
    return () => stateListeners.delete(setCurrent);
  }, []);
  return current;
}

/** Call `refresh` on every poll tick, and on live events whose name starts with one of `prefixes` (all: none given). */
export function useLiveRefresh(refresh, prefixes) {
  const latest = useRef(refresh);
  latest.current = refresh;
  const wanted = (prefixes || []).join(",");
  useEffect(() => {
    const names = wanted ? wanted.split(",") : [];
    const listener = (message) => {
      if (message.type === "poll" || !names.length || names.some((p) => String(message.event || "").startsWith(p))) {
        latest.current();
      }
    };
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, [wanted]);
}
