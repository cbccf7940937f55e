// Listing Lens page: plain JavaScript over the service's own API (no build step, nothing from a CDN); $, el, pct and
// showError come from dom.js.
"use strict";

const files = { suggest: [], search: [] };
let nextCursor = null;

function headers() {
  const t = $("tenant").value.trim();
  return t ? { "X-Tenant": t } : {};
}

// An API answer, or an Error whose message says in words what went wrong (RFC 7807 problem: title and detail).
async function call(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  } catch (e) {
    throw new Error("The service cannot be reached (" + e.message + ").");
  }
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    if (body && body.title) throw new Error(body.title + ": " + (body.detail || "HTTP " + response.status));
    throw new Error("HTTP " + response.status + (typeof body === "string" && body ? ": " + body.slice(0, 200) : ""));
  }
  return body;
}

// ---------------------------------------------------------------- tabs (arrow keys move between them)
const tabs = ["suggest", "search"];
function select(name, focus) {
  for (const t of tabs) {
    const on = t === name;
    $("tab-" + t).setAttribute("aria-selected", on);
    $("tab-" + t).tabIndex = on ? 0 : -1;
    $("view-" + t).hidden = !on;
  }
  if (focus) $("tab-" + name).focus();
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
}
for (const t of tabs) {
  $("tab-" + t).addEventListener("click", () => select(t));
  $("tab-" + t).addEventListener("keydown", (e) => {
    const i = tabs.indexOf(t);
    if (e.key === "ArrowRight") select(tabs[(i + 1) % tabs.length], true);
    if (e.key === "ArrowLeft") select(tabs[(i + tabs.length - 1) % tabs.length], true);
  });
}

// ---------------------------------------------------------------- photos: choose, camera, drop
function setFiles(kind, list) {
  files[kind] = Array.from(list).filter((f) => f.size > 0);
  const shown = document.querySelector("#view-" + kind + " .chosen");
  shown.replaceChildren(...files[kind].map((f) => {
    const img = el("img", { alt: f.name });
    img.src = URL.createObjectURL(f);
    return el("li", {}, img);
  }));
}
for (const kind of ["suggest", "search"]) {
  $(kind + "-photos").addEventListener("change", (e) => setFiles(kind, e.target.files));
  $(kind + "-camera").addEventListener("change", (e) => setFiles(kind, e.target.files));
  const drop = document.querySelector("#view-" + kind + " .drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); setFiles(kind, e.dataTransfer.files); });
}

function photosForm(kind) {
  if (files[kind].length === 0) throw new Error("Choose or drop at least one photo first.");
  const form = new FormData();
  for (const f of files[kind]) form.append("photo", f, f.name);
  return form;
}

// ---------------------------------------------------------------- suggestions
function field(id, f, show) {
  const dd = $(id);
  if (f && f.value !== null && f.value !== undefined) {
    dd.replaceChildren(el("span", { class: "value", text: show ? show(f.value) : String(f.value) }), " ",
      el("span", { class: "conf", text: "(" + pct(f.confidence) + " of the vote)" }));
  } else {
    dd.replaceChildren(el("span", { class: "abstain", text: "No suggestion: " + (f && f.reason ? f.reason : "no reason given") }));
  }
}

function card(n) {
  const img = el("img", { alt: n.title || n.id, loading: "lazy" });
  if (n.imageUrl || n.image) img.src = n.imageUrl || n.image;
  const body = el("div", { class: "body" },
    el("div", { class: "title", text: n.title || n.id }),
    el("div", { class: "cat", text: (n.category || []).join(" › ") }),
    el("div", { class: "sim", text: "similarity " + Number(n.similarity).toFixed(3) }));
  if (n.brand) body.append(el("div", { text: n.brand }));
  if (n.price !== null && n.price !== undefined) body.append(el("div", { text: "price " + n.price }));
  if (n.nearDuplicate) body.append(el("span", { class: "dup", text: "same photo" }));
  return el("li", { "data-id": n.id }, img, body);
}

$("suggest-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  showError("suggest-error", null);
  const button = $("suggest-submit");
  button.disabled = true;
  button.textContent = "Suggesting…";
  try {
    const r = await call("/v1/suggestions", { method: "POST", body: photosForm("suggest") });
    field("s-title", r.title);
    const c = r.category;
    if (c && c.path && c.path.length) {
      $("s-category").replaceChildren(...c.path.flatMap((level, i) => [
        ...(i ? [" › "] : []), el("span", { class: "level", text: level.name }), " ",
        el("span", { class: "conf", text: "(" + pct(level.confidence) + ")" })]));
      $("s-category").dataset.path = c.path.map((l) => l.name).join("/");
    } else {
      $("s-category").replaceChildren(el("span", { class: "abstain", text: "No suggestion: " + (c && c.reason) }));
      $("s-category").dataset.path = "";
    }
    field("s-brand", r.brand);
    const p = r.priceBand;
    $("s-price").replaceChildren(p && p.low !== null
      ? el("span", { text: p.low + " – " + p.high + (p.currency ? " " + p.currency : "") + " (median " + p.median + ", from " + p.basedOn + " listings)" })
      : el("span", { class: "abstain", text: "No suggestion: " + (p && p.reason) }));
    field("s-weight", r.weightClass, (w) => w.label);
    const col = r.colour;
    $("s-colour").replaceChildren(col && col.name
      ? el("span", {}, el("span", { class: "swatch", style: "background:" + col.hex }), col.name + " ", el("span", { class: "conf", text: "(" + pct(col.share) + " of the photo)" }))
      : el("span", { class: "abstain", text: "No suggestion: " + (col && col.reason) }));
    $("s-duplicates").replaceChildren(r.duplicates && r.duplicates.length
      ? el("span", { text: "The photo looks like " + r.duplicates.map((d) => (d.title || d.id) + " (" + d.id + ")").join(", ") })
      : el("span", { class: "abstain", text: "none" }));
    $("s-neighbours").replaceChildren(...r.neighbours.map(card));
    $("s-meta").textContent = "Pool " + r.pool.version + " (" + r.pool.listings + " listings), model " + r.model.name + " " + r.model.precision
      + (r.cached ? ", answered from the cache" : ", " + r.timings.totalMs + " ms");
    $("suggest-result").hidden = false;
  } catch (error) {
    showError("suggest-error", error);
    $("suggest-result").hidden = true;
  } finally {
    button.disabled = false;
    button.textContent = "Suggest";
  }
});

// ---------------------------------------------------------------- search
function renderPage(r, append) {
  const list = $("r-results");
  const cards = r.results.map(card);
  if (append) list.append(...cards); else list.replaceChildren(...cards);
  const shown = list.children.length;
  $("r-meta").textContent = r.matching + " listings pass the filters; showing " + shown + "."
    + (r.note ? " " + r.note + "." : "") + (r.widened ? " (The search widened to find them.)" : "");
  nextCursor = r.nextCursor;
  $("search-more").hidden = !nextCursor;
  $("search-result").hidden = false;
}

$("search-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  showError("search-error", null);
  const button = $("search-submit");
  button.disabled = true;
  try {
    const form = photosForm("search");
    for (const name of ["category", "brand", "minPrice", "maxPrice", "limit"]) {
      const v = e.target.elements[name].value.trim();
      if (v) form.append(name, v);
    }
    renderPage(await call("/v1/search", { method: "POST", body: form }), false);
  } catch (error) {
    showError("search-error", error);
    $("search-result").hidden = true;
  } finally {
    button.disabled = false;
  }
});

$("search-more").addEventListener("click", async () => {
  showError("search-error", null);
  try {
    renderPage(await call("/v1/search?cursor=" + encodeURIComponent(nextCursor)), true);
  } catch (error) {
    showError("search-error", error);
  }
});


select(tabs.includes(location.hash.slice(1)) ? location.hash.slice(1) : "suggest");
