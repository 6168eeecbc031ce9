// the query page of kg serve (served as /page.js: the CSP allows no inline script)
"use strict";
const $ = (id) => document.getElementById(id);
let PRESETS = [];
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function choose(name, values) {
  const p = PRESETS.find((x) => x.name === name);
  $("params").textContent = "";
  $("desc").textContent = p ? p.description : "";
  if (!p) return;
  $("query").value = p.query;
  for (const prm of p.params) {
    const lab = el("label", {}, prm.name + (prm.required ? " " : " (optional) "));
    const inp = el("input", {"data-param": prm.name, placeholder: prm.description || prm.kind, size: 28});
    inp.value = (values && values[prm.name]) || prm.default || "";
    inp.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); });
    lab.appendChild(inp);
    $("params").appendChild(lab);
  }
}
function cell(b) {
  const td = el("td");
  if (!b) return td;
  if (b.type === "uri") {
    const a = el("a", {href: "#", title: "facts about this entity"}, b.value.replace("https://w3id.org/platform-kg/id/", "ent:"));
    a.addEventListener("click", (e) => { e.preventDefault(); $("preset").value = "facts-about";
      choose("facts-about", {org: b.value}); run(); });
    td.appendChild(a);
  } else td.textContent = b.value;
  return td;
}
async function run() {
  const body = new URLSearchParams();
  body.set("query", $("query").value);
  for (const inp of document.querySelectorAll("[data-param]")) {
    if (inp.value.trim()) body.set("param." + inp.dataset.param, inp.value.trim());
  }
  $("status").className = ""; $("status").textContent = "running…"; $("results").textContent = "";
  const t0 = performance.now();
  let resp;
  try {
    resp = await fetch("/sparql", {method: "POST", body,
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.5"}});
  } catch (e) { $("status").className = "error"; $("status").textContent = String(e); return; }
  const text = await resp.text();
  if (!resp.ok) { $("status").className = "error"; $("status").textContent = resp.status + ": " + text; return; }
  const ms = Math.round(performance.now() - t0);
  const warn = resp.headers.get("X-KG-Warning");
  const cut = resp.headers.get("X-KG-Truncated") ? " (truncated at " + resp.headers.get("X-KG-Row-Limit") + " rows)" : "";
  if (!(resp.headers.get("Content-Type") || "").includes("json")) {
    $("results").appendChild(el("pre", {}, text));
    $("status").textContent = ms + " ms" + cut; return;
  }
  const data = JSON.parse(text);
  if ("boolean" in data) { $("results").appendChild(el("p", {}, data.boolean ? "yes" : "no")); $("status").textContent = ms + " ms"; return; }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = el("table"), head = el("tr");
  for (const v of vars) head.appendChild(el("th", {}, v));
  table.appendChild(head);
  for (const r of rows) { const tr = el("tr"); for (const v of vars) tr.appendChild(cell(r[v])); table.appendChild(tr); }
  $("results").appendChild(table);
  $("status").textContent = rows.length + " rows, " + ms + " ms" + cut + (warn ? " · " + warn : "");
}
$("preset").addEventListener("change", (e) => choose(e.target.value));
$("run").addEventListener("click", run);
fetch("/api/presets").then((r) => r.json()).then((list) => {
  PRESETS = list;
  for (const p of list) $("preset").appendChild(el("option", {value: p.name}, p.name + " · " + p.title));
});
