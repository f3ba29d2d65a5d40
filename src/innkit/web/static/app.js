// innkit page: calls the JSON API of the same server; builds every node with textContent,
// so nothing from the text or the server is ever parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const detail = data && typeof data.detail === "string" ? data.detail : response.statusText;
    throw new Error(`${detail} (HTTP ${response.status})`);
  }
  return data;
}

function setStatus(id, message, isError) {
  const node = $(id);
  node.textContent = message;
  node.classList.toggle("error", Boolean(isError));
}

async function busy(button, work) {
  if (button) button.disabled = true;
  try {
    await work();
  } finally {
    if (button) button.disabled = false;
  }
}

// -- the parts of a decoded name ------------------------------------------------------------
function partBlock(kind, letters, label) {
  return el("div", { class: `part ${kind}` }, el("b", { text: letters || "\u2013" }),
    el("span", { text: label }));
}

function partsOf(d) {
  if (d.kind === "combination") {
    const box = el("div");
    for (const c of d.components) box.append(partsOf(c));
    return box;
  }
  const row = el("div", { class: "parts", role: "list", "aria-label": "parts of the name" });
  const add = (node) => { node.setAttribute("role", "listitem"); row.append(node); };
  if (d.kind === "antibody") {
    if (d.radiolabel) add(partBlock("modifier", d.radiolabel.text, `radiolabel ${d.radiolabel.isotope}`));
    add(partBlock("prefix", d.prefix, "prefix: unique letters"));
    if (d.target_substem) add(partBlock("target", d.target_substem, `target: ${d.target_meaning || "?"}`));
    if (d.source_substem) add(partBlock("source", d.source_substem, `source: ${d.source_meaning || "?"}`));
    add(partBlock("stem", d.stem, `stem: ${d.stem_meaning || "?"}`));
    if (d.suffix) add(partBlock("prefix", d.suffix, "part of the name"));
  } else if (d.kind === "stem") {
    for (const m of d.stems.slice(0, 3)) add(partBlock("stem", `-${m.stem}`, m.meaning || "no definition"));
    for (const s of d.salts) add(partBlock("prefix", s, "salt or ester"));
  }
  for (const m of d.modifiers || []) {
    const what = m.kind.replaceAll("_", " ");
    add(partBlock("modifier", m.word, `${what}: ${m.meaning || m.payload_class || "meaning unknown"}`));
  }
  if (d.fda_suffix) add(partBlock("prefix", `-${d.fda_suffix}`, "FDA suffix, no meaning"));
  return row.childElementCount ? row : el("div");
}

// What the name denotes: the substance, how the name relates to it, and its public record;
// for an ambiguous name, every substance it may denote, none preferred.
function substanceView(d) {
  const s = d.substance;
  if (!s) return null;
  const relation = s.relation === "inn" ? "INN" : s.relation.replaceAll("_", " ");
  const link = (c) => el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer",
    text: `UNII ${c.unii}` });
  if (s.ambiguous) {
    const each = [];
    s.denotes.forEach((c, i) => {
      if (i) each.push(" or ");
      each.push(`${c.inn || c.name} (`, link(c), ")");
    });
    return el("p", { class: "substance" }, `AMBIGUOUS: ${relation} of `, ...each);
  }
  return el("p", { class: "substance" }, `${relation} of ${s.inn || s.name} \u00b7 `, link(s));
}

function cardView(explained, heading) {
  const box = el("div");
  if (heading) box.append(el("h3", { text: heading }));
  box.append(el("p", { class: "summary", text: explained.summary }));
  const substance = substanceView(explained.decoding);
  if (substance) box.append(substance);
  box.append(partsOf(explained.decoding));
  box.append(el("pre", { class: "card", text: explained.card }));
  return box;
}

// -- finding names in a text ------------------------------------------------------------------
const HOW = {
  registry: "known name (registry)",
  morphology: "read by its parts",
  stem: "WHO stem",
  fuzzy: "near miss: did you mean?",
  class: "drug class",
  abbreviation: "short form the text defines",
  brand: "brand the text gives",
};
let explained = new Map();
let mentions = [];

function selectMention(index) {
  const m = mentions[index];
  const info = explained.get(m.text);
  document.querySelectorAll("#annotated mark.selected").forEach((n) => n.classList.remove("selected"));
  const mark = document.querySelector(`#annotated mark[data-index="${index}"]`);
  if (mark) mark.classList.add("selected");
  const panel = $("mention-panel");
  panel.replaceChildren(el("h3", { id: "panel-title", text: m.text.replace(/\s+/g, " ") }));
  const facts = [HOW[m.how] || m.how, m.known ? "known" : "not in the registry",
    `${m.confidence} confidence`, `characters ${m.start}\u2013${m.end}`];
  panel.append(el("p", { class: "facts", text: facts.join(" \u00b7 ") }));
  if (m.suggestion) panel.append(el("p", { class: "error", text: `Did you mean ${m.suggestion}?` }));
  if (info) panel.append(cardView(info));
}

// Text between names: runs of line breaks with a blank line in them stay breaks when the text
// is reflowed; the characters themselves are kept as they are.
function appendPlain(doc, text) {
  const parts = text.split(/(\n[ \t]*\n\s*)/);
  parts.forEach((part, i) => {
    if (!part) return;
    doc.append(i % 2 ? el("span", { class: "breaks", text: part }) : part);
  });
}

function resetPanel() {
  $("mention-panel").replaceChildren(
    el("h3", { id: "panel-title", text: "Decoding" }),
    el("p", { class: "hint", text: mentions.length
      ? "Select a highlighted name (click, or Tab then Enter) to read its decoding here. " +
        "Hover for a one-line summary."
      : "No name to decode: innkit found no drug name in this text." }));
}

function renderAnnotated(text) {
  resetPanel();
  const doc = $("annotated");
  const rows = $("mention-rows");
  doc.replaceChildren();
  rows.replaceChildren();
  let pos = 0;
  const counts = {};
  mentions.forEach((m, i) => {
    counts[m.how] = (counts[m.how] || 0) + 1;
    appendPlain(doc, text.slice(pos, m.start));
    const info = explained.get(m.text);
    const reading = info ? info.summary : m.decoding.kind;
    const mark = el("mark", {
      class: m.how, tabindex: 0, role: "button", "data-index": i, "data-how": m.how,
      "data-summary": reading, title: `${HOW[m.how] || m.how}: ${reading}`,
    }, text.slice(m.start, m.end));
    doc.append(mark);
    pos = m.end;
    const open = el("button", { class: "link", type: "button", text: m.text.replace(/\s+/g, " ") });
    open.addEventListener("click", () => { selectMention(i); mark.scrollIntoView({ block: "center" }); });
    rows.append(el("tr", {}, el("td", { class: "num", text: m.start }), el("td", { class: "name" }, open),
      el("td", { text: m.how }), el("td", { text: reading }), el("td", { text: m.suggestion || "" })));
  });
  appendPlain(doc, text.slice(pos));
  const legend = $("legend");
  legend.replaceChildren(mentions.length ? "Found by:" : "No drug name in this text.");
  for (const how of Object.keys(HOW)) {
    if (counts[how]) legend.append(el("mark", { class: how, text: HOW[how] }), ` ${counts[how]} `);
  }
  $("annotate-result").hidden = false;
}

async function findNames(event) {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) {
    setStatus("annotate-status", "Paste a text first.", true);
    return;
  }
  await busy($("find-button"), async () => {
    setStatus("annotate-status", "Reading\u2026");
    try {
      mentions = await api("/v1/annotate", { text, leniency: $("leniency").value });
      const names = [...new Set(mentions.map((m) => m.text))];
      explained = new Map();
      for (let i = 0; i < names.length; i += 500) {
        const batch = await api("/v1/explain", { names: names.slice(i, i + 500) });
        batch.forEach((item, j) => explained.set(names[i + j], item));
      }
      renderAnnotated(text);
      share(text.length <= SHARE_MAX_CHARS ? { text, leniency: $("leniency").value } : {}, "find");
      setStatus("annotate-status", `${mentions.length} name${mentions.length === 1 ? "" : "s"} found.`);
      if (mentions.length) selectMention(0);
    } catch (error) {
      $("annotate-result").hidden = true;  // an old result would read as the answer
      setStatus("annotate-status", error.message, true);
    }
  });
}

function onMarkActivate(event) {
  const mark = event.target.closest("mark[data-index]");
  if (!mark) return;
  if (event.type === "keydown" && event.key !== "Enter" && event.key !== " ") return;
  event.preventDefault();
  selectMention(Number(mark.dataset.index));
}

// -- explaining one name --------------------------------------------------------------------
async function explainName(event) {
  event.preventDefault();
  const name = $("name-input").value.trim();
  if (!name) return;
  const button = event.submitter || null;
  await busy(button, async () => {
    setStatus("explain-status", "Reading\u2026");
    try {
      const result = await api(`/v1/explain?${new URLSearchParams({ name })}`);
      const box = $("explain-result");
      box.replaceChildren(cardView(result, result.input));
      box.hidden = false;
      share({ explain: name }, "explain");
      setStatus("explain-status", "");
    } catch (error) {
      $("explain-result").hidden = true;
      setStatus("explain-status", error.message, true);
    }
  });
}

// -- checking a candidate -------------------------------------------------------------------
function fmt(x) {
  return typeof x === "number" ? x.toFixed(2) : "";
}

function renderValidation(v) {
  const box = $("validate-result");
  const verdict = v.valid ? "complies with the 2022 naming scheme" : "does not comply with the 2022 naming scheme";
  box.replaceChildren(el("p", { class: `verdict ${v.valid ? "ok" : "bad"}`, text: `${v.name} ${verdict}` }));
  const list = el("ul", { class: "checks", "aria-label": "rules checked" });
  for (const c of v.checks) {
    const state = c.passed ? "pass" : (c.severity === "error" ? "fail" : "advice");
    const word = c.passed ? "passed" : (c.severity === "error" ? "failed" : "advice");
    list.append(el("li", { class: state }, el("span", { class: "rule", text: c.rule }),
      el("span", { class: "visually-hidden", text: ` (${word})` }), `: ${c.reason}`));
  }
  box.append(list);
  box.hidden = false;
}

function renderScreening(s) {
  const rows = $("screen-rows");
  rows.replaceChildren();
  const note = [`${s.name}: compared with ${s.compared.toLocaleString("en")} names.`];
  if (s.reason) note.push(`Note: ${s.reason}.`);
  if (s.substance) note.push(`This is ${s.substance}` +
    (s.own_forms && s.own_forms.length ? ` (its own forms left out: ${s.own_forms.join(", ")}).` : "."));
  if (!s.hits.length) note.push("No existing name reaches the low level.");
  $("screen-note").textContent = note.join(" ");
  for (const h of s.hits) {
    const level = h.level || "none";
    const m = h.measures || {};
    const al = h.aligned;
    const why = (h.why || []).join("; ");
    const seen = al ? `${why}${why ? "; " : ""}letters ${al.letters[0]} / ${al.letters[1]}, ` +
      `sounds /${al.sounds[0]}/ / /${al.sounds[1]}/` : why;
    const name = h.substance && h.substance.toLowerCase() !== h.name ? `${h.name} (${h.substance})` : h.name;
    rows.append(el("tr", {},
      el("td", { class: "name", text: name }),
      el("td", { class: "num" }, el("span", { class: "bar", "data-w": h.score }), fmt(h.score)),
      el("td", {}, el("span", { class: `level ${level}`, text: h.level || "below" })),
      el("td", { class: "nowrap", text: `${h.origin} / ${h.kind}` }),
      el("td", { class: "why", text: seen }),
      el("td", { class: "num", text: fmt(m.edit) }),
      el("td", { class: "num", text: fmt(m.bisim) }),
      el("td", { class: "num", text: fmt(m.prefix) }),
      el("td", { class: "num", text: fmt(m.phonetic) })));
  }
  // Width set through the CSSOM: the page's policy allows no inline style attributes.
  rows.querySelectorAll(".bar").forEach((bar) => {
    bar.style.width = `${Math.round(Number(bar.dataset.w) * 60)}px`;
  });
  $("screen-result").hidden = false;
}

async function checkCandidate(event) {
  event.preventDefault();
  const name = $("candidate").value.trim();
  if (!name) return;
  const against = $("against").value;
  await busy(event.submitter || null, async () => {
    setStatus("screen-status", "Checking\u2026");
    const problems = [];
    try {
      renderScreening(await api(`/v1/screen?${new URLSearchParams({ name, against, limit: 10 })}`));
    } catch (error) {
      $("screen-result").hidden = true;
      problems.push(`screening: ${error.message}`);
    }
    try {
      renderValidation(await api(`/v1/validate?${new URLSearchParams({ name })}`));
    } catch (error) {
      $("validate-result").hidden = true;
      problems.push(`validation: ${error.message}`);
    }
    if (!problems.length) share({ check: name, against }, "check");
    setStatus("screen-status", problems.join("; "), problems.length > 0);
  });
}

async function screenBatch(event) {
  event.preventDefault();
  const names = $("batch-names").value.split("\n").map((n) => n.trim()).filter(Boolean);
  if (!names.length) return;
  if (names.length > 200) {
    setStatus("batch-status", `${names.length} names: at most 200 at once`, true);
    return;
  }
  await busy(event.submitter || null, async () => {
    setStatus("batch-status", "Screening\u2026");
    try {
      const body = await api("/v1/screen/batch", { names, against: $("against").value, limit: 3 });
      const rows = $("batch-rows");
      rows.replaceChildren();
      for (const r of body.results) {
        const level = r.top_level || "none";
        rows.append(el("tr", {},
          el("td", { class: "name", text: r.input }),
          el("td", {}, el("span", { class: `level ${level}`, text: r.top_level || "below" })),
          el("td", { text: r.hits.map((h) => `${h.name} ${fmt(h.score)}`).join("; ") }),
          el("td", { text: r.reason || "" })));
      }
      $("batch-result").hidden = false;
      setStatus("batch-status", `${body.count} screened`);
    } catch (error) {
      $("batch-result").hidden = true;
      setStatus("batch-status", `screening: ${error.message}`, true);
    }
  });
}

// -- claims ---------------------------------------------------------------------------------
async function checkClaims(event) {
  event.preventDefault();
  const text = $("claims-text").value;
  if (!text.trim()) {
    setStatus("claims-status", "Paste a text first.", true);
    return;
  }
  setStatus("claims-status", "Checking\u2026");
  try {
    const claims = await api("/v1/check", { text });
    const rows = $("claims-rows");
    rows.replaceChildren(...claims.map((c) => el("tr", { class: `verdict-${c.verdict}`,
      title: c.evidence.join("\n") },
      el("td", { text: c.name }), el("td", { text: `${c.kind}: ${c.value}` }),
      el("td", { text: c.text }), el("td", { text: c.verdict }),
      el("td", { text: c.evidence.join("; ") }))));
    $("claims-result").hidden = claims.length === 0;
    const against = claims.filter((c) => c.verdict === "contradicts").length;
    setStatus("claims-status", `${claims.length} claim${claims.length === 1 ? "" : "s"}, ` +
      `${against} contradicting.`);
  } catch (error) {
    $("claims-result").hidden = true;
    setStatus("claims-status", error.message, true);
  }
}

// -- the address of a result, downloads, suggestions ----------------------------------------
// The query of the last answer goes into the address, so that it can be shared or bookmarked:
// ?text=&leniency= (a text up to SHARE_MAX_CHARS), ?explain=NAME, ?check=NAME&against=.
const SHARE_MAX_CHARS = 2000;

function share(params, section) {
  const query = new URLSearchParams(params).toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}#${section}`);
}

function fromAddress() {
  const params = new URLSearchParams(location.search);
  if (params.has("text")) {
    $("text").value = params.get("text");
    if (params.has("leniency")) $("leniency").value = params.get("leniency");
    $("annotate-form").requestSubmit();
  } else if (params.has("explain")) {
    $("name-input").value = params.get("explain");
    $("explain-form").requestSubmit();
  } else if (params.has("check")) {
    $("candidate").value = params.get("check");
    if (params.has("against")) $("against").value = params.get("against");
    $("screen-form").requestSubmit();
  }
}

async function download(event) {
  const button = event.target.closest("button[data-download]");
  if (!button) return;
  const format = button.dataset.download;
  await busy(button, async () => {
    setStatus("download-status", "Preparing…");
    try {
      const response = await fetch("/v1/annotate/download", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: $("text").value, leniency: $("leniency").value, format }),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { href: url, download: `innkit-mentions.${format === "brat" ? "ann" : format}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus("download-status", "");
    } catch (error) {
      setStatus("download-status", `download: ${error.message}`, true);
    }
  });
}

let suggestTimer = null;
let suggestQuery = "";

function suggestNames() {
  clearTimeout(suggestTimer);
  const query = $("name-input").value.trim();
  if (query.length < 2 || query === suggestQuery) return;
  suggestTimer = setTimeout(async () => {
    suggestQuery = query;
    try {
      const hits = await api(`/v1/registry?${new URLSearchParams({ search: query, limit: 8 })}`);
      if ($("name-input").value.trim() !== query) return;  // typed on meanwhile
      const list = $("name-suggestions");
      list.replaceChildren(...hits.map((h) => el("option", {
        value: h.full_name || h.name,
        label: [h.kind, h.target_antigen && `target ${h.target_antigen}`, h.matched_on]
          .filter(Boolean).join(" · "),
      })));
    } catch (_) {
      // Suggestions are a help; the box works without them.
    }
  }, 150);
}

// -- start ----------------------------------------------------------------------------------
async function showMeta() {
  try {
    const meta = await api("/v1/meta");
    $("meta-line").textContent = `innkit ${meta.innkit_version} \u00b7 data ${meta.data_version}` +
      ` \u00b7 texts up to ${meta.limits.max_text_chars.toLocaleString("en")} characters` +
      ` \u00b7 ${meta.limits.time_limit_s} s per request`;
  } catch (_) {
    // The page works without it.
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("annotate-form").addEventListener("submit", findNames);
  $("explain-form").addEventListener("submit", explainName);
  $("screen-form").addEventListener("submit", checkCandidate);
  $("batch-form").addEventListener("submit", screenBatch);
  $("claims-form").addEventListener("submit", checkClaims);
  document.querySelector(".downloads").addEventListener("click", download);
  $("name-input").addEventListener("input", suggestNames);
  $("annotated").addEventListener("click", onMarkActivate);
  $("annotated").addEventListener("keydown", onMarkActivate);
  $("keep-lines").addEventListener("change", (event) => {
    $("annotated").classList.toggle("as-written", event.target.checked);
  });
  showMeta();
  fromAddress();
});
