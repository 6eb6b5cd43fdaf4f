// Hash routes (#/incidents/inc-1): the page never reloads, and no credential is ever part of a URL.
import { useEffect, useState } from "preact/hooks";

export const PAGES = [
  { name: "incidents", path: "#/incidents", label: "Incidents" },
  { name: "approvals", path: "#/approvals", label: "Approvals" },
  { name: "dead-letters", path: "#/dead-letters", label: "Dead letters" },
  { name: "slos", path: "#/slos", label: "SLOs" },
  { name: "oncall", path: "#/oncall", label: "On-call" },
  { name: "activity", path: "#/activity", label: "Activity" },
  { name: "settings", path: "#/settings", label: "Settings" },
];

/** {name, params} of a hash. Unknown hashes are the incidents page. */
export function parse(hash) {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "incidents" && parts[1]) return { name: "incident", params: { id: parts[1] } };
  const page = PAGES.find((p) => p.name === parts[0]);
  return { name: page ? page.name : "incidents", params: {} };
}

export const incidentHref = (id) => `#/incidents/${encodeURIComponent(id)}`;

export function useRoute() {
  const [route, setRoute] = useState(parse(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parse(location.hash));
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}
