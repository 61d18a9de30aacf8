// Staff pages of the matchmaking API: plain JS, no framework, no build step.
// Every piece of data is written with textContent, never parsed as HTML. The key lives in
// sessionStorage only and travels in the Authorization header, never in a URL.
"use strict";

(function () {
  const KEY_STORAGE = "matchmaking.staffKey";
  const KIND_LABEL = {experts: "experts", solutions: "solutions", providers: "providers",
                      peers: "peer cities"};
  const $ = (id) => document.getElementById(id);
  const state = {city: null, kind: "experts", meetings: null, mParams: null, pages: [null],
                 shown: 0};

  // ------------------------------------------------------------------ helpers

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function getKey() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
  }

  function setStatus(id, text, bad) {
    const node = $(id);
    node.textContent = text || "";
    node.classList.toggle("bad", Boolean(bad));
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  class ApiError extends Error {
    constructor(status, title, detail, retryAfter) {
      super(detail || title || ("HTTP " + status));
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  async function api(path, params) {
    const key = getKey();
    if (!key) throw new ApiError(0, "No key", "enter an admin or staff API key first (step 1)");
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
    }
    let response;
    try {
      response = await fetch(url.pathname + url.search, {
        headers: {"Authorization": "Bearer " + key, "Accept": "application/json"},
        cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      });
    } catch (e) {
      throw new ApiError(0, "Network error", "the API did not answer; is the server running?");
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const b = body || {};
      throw new ApiError(response.status, b.title || response.statusText,
                         b.detail || "", response.headers.get("Retry-After"));
    }
    return body;
  }

  function explain(err) {
    if (!(err instanceof ApiError)) return "Unexpected error in the page: " + String(err);
    const head = err.status ? err.status + " " + (err.title || "") : (err.title || "Error");
    let hint = "";
    if (err.status === 401) hint = "Check the key in step 1 (wrong, revoked or missing).";
    else if (err.status === 403) hint = "This key's role may not do this: use an admin or staff key.";
    else if (err.status === 404) hint = "Not found.";
    else if (err.status === 422) hint = "Check the filters.";
    else if (err.status === 429) hint = "Too many requests: wait " + (err.retryAfter || "a few") + " s.";
    else if (err.status === 503) hint = "The service or its store is unavailable: retry in "
      + (err.retryAfter || "a few") + " s.";
    let detail = err.detail || "";
    if (detail && hint && !/[.!?]$/.test(detail)) detail += ".";
    return head + ": " + detail + (hint ? " " + hint : "");
  }

  // The full message goes in the banner at the top and next to the action that failed.
  function showProblem(err, statusId) {
    if (statusId) setStatus(statusId, explain(err), true);
    const box = $("problem");
    box.replaceChildren(el("strong", "Problem. "), el("span", explain(err)));
    box.dataset.status = err instanceof ApiError ? String(err.status) : "";
    box.hidden = false;
  }

  function clearProblem() {
    const box = $("problem");
    box.hidden = true;
    box.replaceChildren();
    box.dataset.status = "";
  }

  function fmt(x) { return Number(x).toFixed(3); }

  function componentsCell(components, max) {
    const list = el("ul", null, "components");
    // The components sum to the score; those that add nothing are left out.
    const entries = Object.entries(components || {})
      .filter(([, v]) => Number(v) >= 0.0005).sort((a, b) => b[1] - a[1]);
    for (const [name, value] of entries) {
      const item = el("li");
      const label = el("span", name, "c-name");
      const meter = document.createElement("meter");
      meter.min = 0;
      meter.max = max > 0 ? max : 1;
      meter.value = Math.max(0, Number(value));
      meter.setAttribute("aria-label", name);
      meter.title = name + " " + fmt(value);
      item.append(label, meter, el("span", fmt(value), "c-value"));
      list.append(item);
    }
    return list;
  }

  // Grouped solutions: the other offers of the same idea, named by their providers.
  function alsoOffered(offers) {
    const names = [];
    for (const o of offers) {
      for (const p of o.providers || []) if (!names.includes(p.name)) names.push(p.name);
    }
    const shown = names.slice(0, 4).join(", ") +
      (names.length > 4 ? " and " + (names.length - 4) + " more" : "");
    const box = el("span", "also offered by " + shown, "also");
    box.title = offers.map((o) => o.id).join(", ");
    return box;
  }

  function reasonsCell(reasons) {
    const list = el("ul", null, "reasons");
    for (const r of reasons || []) list.append(el("li", r));
    return list;
  }

  // ------------------------------------------------------------------ key

  function showKeyState() {
    setStatus("key-status", getKey() ? "A key is set for this tab." : "No key set.");
  }

  $("key-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("key");
    const value = input.value.trim();
    input.value = "";
    if (!value) { showKeyState(); return; }
    try { sessionStorage.setItem(KEY_STORAGE, value); } catch (e) { /* private mode */ }
    clearProblem();
    setStatus("key-status", "Checking the key...");
    try {
      await api("/reports/meetings", {limit: 1});
      setStatus("key-status", "Key accepted (staff access).");
    } catch (err) {
      showProblem(err, "key-status");
    }
  });

  // Forgetting the key also clears what was loaded with it.
  $("key-forget").addEventListener("click", () => {
    try { sessionStorage.removeItem(KEY_STORAGE); } catch (e) { /* ignore */ }
    $("key").value = "";
    state.city = null;
    state.meetings = null;
    $("city-results").replaceChildren();
    $("recs").hidden = true;
    $("recs-table").tBodies[0].replaceChildren();
    $("meetings-table").hidden = true;
    $("meetings-table").tBodies[0].replaceChildren();
    setMeetingButtons(false);
    for (const id of ["city-status", "recs-status", "m-status"]) setStatus(id, "");
    clearProblem();
    showKeyState();
  });

  // ------------------------------------------------------------------ cities

  $("city-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearProblem();
    const q = $("city-q").value.trim();
    const list = $("city-results");
    list.replaceChildren();
    setStatus("city-status", "Searching...");
    try {
      const page = await api("/cities", {q: q, limit: 20});
      setStatus("city-status", plural(page.count, "city matches", "cities match") +
                (page.count > page.data.length ? " (first " + page.data.length + " shown)" : "")
                + (page.data.length ? ": pick one." : "."));
      for (const city of page.data) {
        const item = el("li");
        const button = el("button", city.name || city.id, "choice");
        button.type = "button";
        button.dataset.id = city.id;
        if (city.country) button.append(el("span", " (" + city.country + ")", "muted"));
        button.addEventListener("click", () => chooseCity(city));
        item.append(button);
        list.append(item);
      }
    } catch (err) {
      showProblem(err, "city-status");
    }
  });

  function chooseCity(city) {
    state.city = city;
    for (const b of document.querySelectorAll("#city-results button")) {
      b.setAttribute("aria-pressed", b.dataset.id === city.id ? "true" : "false");
    }
    $("recs").hidden = false;
    $("recs-h").textContent = "Recommendations for " + (city.name || city.id);
    loadRecommendations();
  }

  function selectTab(kind) {
    state.kind = kind;
    for (const tab of document.querySelectorAll("[role=tab]")) {
      const on = tab.dataset.kind === kind;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      if (on) $("recs-panel").setAttribute("aria-labelledby", tab.id);
    }
    loadRecommendations();
  }

  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => selectTab(tab.dataset.kind));
    tab.addEventListener("keydown", (ev) => {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
      const tabs = Array.from(document.querySelectorAll("[role=tab]"));
      const i = tabs.indexOf(tab) + (ev.key === "ArrowRight" ? 1 : -1);
      const next = tabs[(i + tabs.length) % tabs.length];
      next.focus();
      selectTab(next.dataset.kind);
    });
  }

  async function loadRecommendations() {
    const city = state.city;
    if (!city) return;
    const kind = state.kind;
    const body = $("recs-table").tBodies[0];
    body.replaceChildren();
    $("recs-caption").textContent = "";
    setStatus("recs-status", "Loading " + KIND_LABEL[kind] + "...");
    clearProblem();
    try {
      const page = await api("/cities/" + encodeURIComponent(city.id) +
                             "/recommendations/" + kind, {k: 10});
      if (state.city !== city || state.kind !== kind) return;  // a newer request won
      const max = Math.max(0, ...page.data.map((r) => r.score));
      page.data.forEach((r, i) => {
        const tr = el("tr");
        const name = el("td");
        name.append(el("span", r.name || r.id), el("span", r.id, "id"));
        if (r.also_offered_by && r.also_offered_by.length) name.append(alsoOffered(r.also_offered_by));
        const comps = el("td");
        comps.append(componentsCell(r.components, max));
        const why = el("td");
        why.append(reasonsCell(r.reasons));
        tr.append(el("td", i + 1, "num"), name, el("td", fmt(r.score), "num"), comps, why);
        body.append(tr);
      });
      $("recs-caption").textContent = "Top " + page.count + " " + KIND_LABEL[kind] + " for "
        + (city.name || city.id);
      setStatus("recs-status", page.count ? "" : "No " + KIND_LABEL[kind] + " to recommend.");
    } catch (err) {
      showProblem(err, "recs-status");
    }
  }

  // ------------------------------------------------------------------ meetings

  function meetingParams() {
    const params = {
      kind: $("m-kind").value,
      country: $("m-country").value.trim().toUpperCase(),
      per_city: $("m-per-city").value,
      order: $("m-order").value,
      max_per_candidate: $("m-fair").value.trim(),
    };
    return params;
  }

  function setMeetingButtons(on) {
    for (const id of ["m-csv", "m-xlsx"]) $(id).disabled = !on;
    $("m-next").disabled = !(on && state.meetings && state.meetings.next_cursor);
    $("m-prev").disabled = !(on && state.pages.length > 1);
  }

  // Load one page: cursors of the pages seen so far are kept for "Previous page".
  async function loadMeetings(cursor) {
    clearProblem();
    const table = $("meetings-table");
    const body = table.tBodies[0];
    body.replaceChildren();
    setMeetingButtons(false);
    $("m-caption").textContent = "";
    state.meetings = null;
    const params = Object.assign({}, state.mParams, {limit: $("m-limit").value, cursor: cursor});
    setStatus("m-status", "Loading the report...");
    try {
      const report = await api("/reports/meetings", params);
      state.meetings = report;
      for (const m of report.data) {
        const tr = el("tr");
        const city = el("td");
        city.append(el("span", m.city_name), el("span", m.city, "id"));
        const cand = el("td");
        cand.append(el("span", m.candidate_name), el("span", m.candidate, "id"));
        const why = el("td");
        why.append(reasonsCell(m.reasons));
        tr.append(el("td", fmt(m.score), "num"), city, el("td", m.city_country || ""), cand,
                  el("td", m.candidate_label), el("td", m.rank, "num"), why);
        body.append(tr);
      }
      table.hidden = false;
      const first = state.shown + 1;
      const order = {score: "best first", city: "by city name", country: "by country"};
      $("m-caption").textContent = plural(report.total, "suggested meeting",
                                          "suggested meetings") + " with "
        + KIND_LABEL[params.kind] + ", " + order[report.order]
        + (report.count ? " (rows " + first + "-" + (first + report.count - 1) + ")" : "");
      setStatus("m-status", "All " + plural(report.cities_in_scope, "city", "cities")
                + " in scope considered; " + report.cities_with_meetings + " with meetings"
                + (report.cities_short ? ", " + report.cities_short + " with fewer than asked"
                  : "") + ". Fairness: " + report.fairness + ".");
      setMeetingButtons(report.total > 0);
    } catch (err) {
      table.hidden = true;
      showProblem(err, "m-status");
    }
  }

  $("meetings-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    state.mParams = meetingParams();
    state.pages = [null];
    state.shown = 0;
    loadMeetings(null);
  });

  $("m-next").addEventListener("click", () => {
    if (!state.meetings || !state.meetings.next_cursor) return;
    state.shown += state.meetings.count;
    state.pages.push(state.meetings.next_cursor);
    loadMeetings(state.meetings.next_cursor);
  });

  $("m-prev").addEventListener("click", () => {
    if (state.pages.length < 2) return;
    state.pages.pop();
    state.shown = Math.max(0, state.shown - Number($("m-limit").value));
    loadMeetings(state.pages[state.pages.length - 1]);
  });

  // The downloads hold the whole report (every page), made by the API.
  async function download(ext) {
    clearProblem();
    const key = getKey();
    const url = new URL("/reports/meetings." + ext, window.location.origin);
    for (const [k, v] of Object.entries(state.mParams || {})) {
      if (v) url.searchParams.set(k, String(v));
    }
    try {
      const response = await fetch(url.pathname + url.search, {
        headers: {"Authorization": "Bearer " + key}, cache: "no-store", credentials: "omit",
        referrerPolicy: "no-referrer",
      });
      if (!response.ok) {
        let b = {};
        try { b = await response.json(); } catch (e) { b = {}; }
        throw new ApiError(response.status, b.title || response.statusText, b.detail || "");
      }
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const a = document.createElement("a");
      a.href = URL.createObjectURL(await response.blob());
      a.download = name ? name[1] : "meetings." + ext;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      showProblem(err, "m-status");
    }
  }

  $("m-csv").addEventListener("click", () => download("csv"));
  $("m-xlsx").addEventListener("click", () => download("xlsx"));

  showKeyState();
})();
