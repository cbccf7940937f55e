// DOM helpers shared by the public page (lens.js) and the operator's status page (management/status.js; the
// management port serves this same file).
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function pct(x) { return Math.round(x * 100) + " %"; }

function showError(id, error) {
  const box = $(id);
  if (error) { box.textContent = error.message || String(error); box.hidden = false; } else { box.hidden = true; box.textContent = ""; }
}
