// The operator's status page (management port only: GET /status there), rendering GET /v1/status of the same port;
// $, el, pct and showError come from dom.js.
"use strict";

async function call(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error("The management port cannot be reached (" + e.message + ").");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || "HTTP " + response.status);
  return body;
}

function table(head, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((c) => el("td", { text: c === null || c === undefined ? "–" : String(c) }))))));
}

async function loadStatus() {
  showError("status-error", null);
  try {
    const s = await call("/v1/status");
    const m = s.model || {};
    $("status-body").replaceChildren(
      el("p", { text: "State: " + s.state + (s.failure ? " (" + s.failure + ")" : "") }),
      el("h2", { text: "Model" }),
      table(["name", "version", "space", "precision", "device", "sha-256"], [[m.name, m.version, m.space, m.precision, m.device, m.sha256 && m.sha256.slice(0, 12)]]),
      el("p", { text: "Inference path: " + (m.path || "–") + (m.pathChosen ? " (" + m.pathChosen + ")" : "") + (m.pathReason ? ": " + m.pathReason : "") }),
      ...((m.paths || []).length ? [table(["path", "photos/s at start", "cosine to fp32 (mean)", "min", "neighbour overlap", "verdict"],
        m.paths.map((p) => [p.path, p.photosPerSecond, p.meanCosine, p.minCosine, p.neighbourOverlap, p.verdict]))] : []),
      el("h2", { text: "Pools" }),
      table(["tenant", "pool version", "listings", "built", "index", "sync", "live changes", "refused"],
        s.tenants.map((t) => [t.tenant, t.poolVersion, t.listings, t.builtAt, t.indexFactory, t.sync, t.live, t.refused])),
      el("h2", { text: "Answer cache" }),
      table(["hits", "misses", "overtaken by live changes", "errors", "hit rate"],
        [[s.cache.hits, s.cache.misses, s.cache.overtaken, s.cache.errors, s.cache.hitRate === null ? null : pct(s.cache.hitRate)]]),
      el("h2", { text: "Recent latency (about the last two minutes)" }),
      table(["step", "requests since start", "p50 ms", "p95 ms", "p99 ms"],
        s.latency.map((l) => [l.name, l.count, l.recentMs.p50, l.recentMs.p95, l.recentMs.p99])));
  } catch (error) {
    showError("status-error", error);
  }
}
$("status-refresh").addEventListener("click", loadStatus);
loadStatus();
