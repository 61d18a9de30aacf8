// The programme report page: plain JS, no framework, no build step. Data is written with
// textContent only; the plots are SVG drawn by the server, shown through blob: URLs. The key
// lives in sessionStorage (shared with /staff) and travels in the Authorization header only.
"use strict";

(function () {
  const KEY_STORAGE = "matchmaking.staffKey";
  const PLOTS = ["unmet-needs", "lorenz", "funnel", "kpi-heatmap"];
  const ROWS_SHOWN = 25;
  const $ = (id) => document.getElementById(id);
  const urls = [];
  let scope = {};

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function getKey() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
  }

  function setStatus(text, bad) {
    $("status").textContent = text || "";
    $("status").classList.toggle("bad", Boolean(bad));
  }

  class ApiError extends Error {
    constructor(status, title, detail) {
      super(detail || title || ("HTTP " + status));
      this.status = status;
      this.title = title;
      this.detail = detail;
    }
  }

  async function call(path, params, accept) {
    const key = getKey();
    if (!key) throw new ApiError(0, "No key", "enter an admin or staff API key first");
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v) url.searchParams.set(k, v);
    }
    let response;
    try {
      response = await fetch(url.pathname + url.search, {
        headers: {"Authorization": "Bearer " + key, "Accept": accept},
        cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      });
    } catch (e) {
      throw new ApiError(0, "Network error", "the API did not answer; is the server running?");
    }
    if (!response.ok) {
      let b = {};
      try { b = await response.json(); } catch (e) { b = {}; }
      throw new ApiError(response.status, b.title || response.statusText, b.detail || "");
    }
    return response;
  }

  function showProblem(err) {
    const head = err.status ? err.status + " " + (err.title || "") : (err.title || "Error");
    let hint = "";
    if (err.status === 401) hint = " Check the key (wrong, revoked or missing).";
    else if (err.status === 403) hint = " This key's role may not do this: use an admin or staff key.";
    else if (err.status === 422) hint = " Check the filters.";
    else if (err.status === 503) hint = " The store is unavailable: retry shortly.";
    const text = head + ": " + (err.detail || err.message) + "." + hint;
    $("problem").textContent = text;
    $("problem").hidden = false;
    setStatus(text, true);
  }

  function clear() {
    $("problem").hidden = true;
    $("report").hidden = true;
    $("tables").replaceChildren();
    while (urls.length) URL.revokeObjectURL(urls.pop());
    for (const name of PLOTS) $("plot-" + name).removeAttribute("src");
    $("xlsx").disabled = true;
    $("print").disabled = true;
  }

  function cellText(v) {
    if (v === null || v === undefined) return "";
    return String(v);
  }

  function renderTable(name, table) {
    const section = el("section");
    section.dataset.table = name;
    section.append(el("h2", table.title));
    if (!table.rows.length) {
      section.append(el("p", "No rows in this scope.", "muted"));
      return section;
    }
    const t = el("table", null, "report");
    t.dataset.table = name;
    const head = el("tr");
    for (const c of table.columns) head.append(el("th", c.replace(/_/g, " ")));
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    for (const row of table.rows.slice(0, ROWS_SHOWN)) {
      const tr = el("tr");
      for (const v of row) tr.append(el("td", cellText(v), typeof v === "number" ? "num" : ""));
      tbody.append(tr);
    }
    t.append(thead, tbody);
    section.append(t);
    if (table.rows.length > ROWS_SHOWN) {
      section.append(el("p", "First " + ROWS_SHOWN + " of " + table.rows.length
                        + " rows; the XLSX download has them all.", "more"));
    }
    return section;
  }

  async function loadPlot(name) {
    const r = await call("/reports/programme/plots/" + name + ".svg", scope, "image/svg+xml");
    const url = URL.createObjectURL(await r.blob());
    urls.push(url);
    const img = $("plot-" + name);
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new ApiError(0, "Plot error", "the " + name + " plot did not load"));
      img.src = url;
    });
  }

  async function load(event) {
    if (event) event.preventDefault();
    clear();
    const country = $("country").value.trim().toUpperCase();
    const region = $("region").value.trim();
    scope = {country: country, region: region};
    setStatus("Loading the report (the first one after a change runs every city's "
              + "recommendations; this can take a while) ...");
    try {
      const body = await (await call("/reports/programme", scope, "application/json")).json();
      const tables = $("tables");
      for (const [name, table] of Object.entries(body.tables)) {
        tables.append(renderTable(name, table));
      }
      $("scope-line").textContent = "Scope: " + (country ? "country " + country : "all countries")
        + (region ? ", region " + region : "") + "; " + body.cities + " cities; store generation "
        + body.generation + ".";
      $("report").hidden = false;
      await Promise.all(PLOTS.map(loadPlot));
      $("xlsx").disabled = false;
      $("print").disabled = false;
      setStatus("Report loaded: " + body.cities + " cities in scope.");
    } catch (err) {
      showProblem(err);
    }
  }

  async function downloadXlsx() {
    try {
      const r = await call("/reports/programme.xlsx", scope,
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      const url = URL.createObjectURL(await r.blob());
      const a = el("a");
      a.href = url;
      a.download = "programme" + (scope.country ? "-" + scope.country : "")
        + (scope.region ? "-" + scope.region.replace(/\s+/g, "_") : "") + ".xlsx";
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      showProblem(err);
    }
  }

  function useKey(event) {
    event.preventDefault();
    const key = $("key").value.trim();
    $("key").value = "";
    try { sessionStorage.setItem(KEY_STORAGE, key); } catch (e) { /* private mode */ }
    setStatus(key ? "Key set for this tab." : "");
  }

  function forgetKey() {
    try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* ignore */ }
    clear();
    setStatus("Key forgotten.");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", useKey);
    $("key-forget").addEventListener("click", forgetKey);
    $("scope-form").addEventListener("submit", load);
    $("xlsx").addEventListener("click", downloadXlsx);
    $("print").addEventListener("click", () => window.print());
    if (getKey()) setStatus("Using the key of this tab.");
  });
})();
