// Staff page of one event: the slots x tables grid, fairness figures and a reschedule
// preview (the diff) before applying it. Data is written with textContent only; the key
// lives in sessionStorage and travels in the Authorization header only.
"use strict";

(function () {
  const KEY_STORAGE = "matchmaking.staffKey";
  const $ = (id) => document.getElementById(id);
  const parts = window.location.pathname.split("/");
  const eventId = decodeURIComponent(parts[parts.length - 1]);
  const base = "/events/" + encodeURIComponent(eventId);
  let preview = null;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function key() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
  }

  function problem(text) {
    const box = $("problem");
    box.textContent = text || "";
    box.hidden = !text;
  }

  async function api(method, path, params) {
    if (!key()) throw new Error("enter an admin or staff API key first");
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, String(v));
    const response = await fetch(url.pathname + url.search, {
      method: method, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      headers: {"Authorization": "Bearer " + key(), "Accept": "application/json"},
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error((body && (body.detail || body.title)) || ("HTTP " + response.status));
    }
    return body;
  }

  function figure(list, name, value) {
    list.append(el("dt", name), el("dd", value));
  }

  function showFairness(f) {
    const list = $("fairness");
    list.replaceChildren();
    figure(list, "Participants", f.participants);
    figure(list, "Meetings", f.meetings);
    figure(list, "Mean meetings each", f.mean_count.toFixed(2));
    figure(list, "Worst served (meetings)",
           f.worst_count + " (" + f.worst_count_ids.slice(0, 5).join(", ") +
           (f.worst_count_ids.length > 5 ? ", ..." : "") + ")");
    figure(list, "Lowest total value", f.worst_value.toFixed(3) + " (" + (f.worst_value_id || "-") + ")");
  }

  function showGrid(event, meetings) {
    const grid = $("grid");
    grid.replaceChildren();
    const slots = event.props.slots, tables = event.props.tables;
    const cells = new Map(meetings.map((m) => [m.slot + ":" + m.table, m]));
    const used = new Set(meetings.map((m) => m.table));
    const shown = [];
    for (let t = 1; t <= tables; t++) if (used.has(t)) shown.push(t);
    const head = el("tr");
    head.append(el("th", "slot"));
    for (const t of shown) head.append(el("th", "table " + t));
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    const [hh, mm] = event.props.start.split(":").map(Number);
    for (let s = 0; s < slots; s++) {
      const row = el("tr");
      const minutes = hh * 60 + mm + s * event.props.slot_minutes;
      const time = String(Math.floor(minutes / 60) % 24).padStart(2, "0") + ":" +
                   String(minutes % 60).padStart(2, "0");
      row.append(el("th", s + " (" + time + ")"));
      for (const t of shown) {
        const m = cells.get(s + ":" + t);
        const cell = m ? el("td", m.a + " \u00d7 " + m.b, m.status) : el("td", "");
        if (m) cell.title = m.status + (m.reasons.length ? ": " + m.reasons.join("; ") : "");
        row.append(cell);
      }
      tbody.append(row);
    }
    grid.append(thead, tbody);
    $("grid-status").textContent = meetings.length + " meetings at " + shown.length +
      " of " + tables + " tables in " + slots + " slots";
  }

  async function load() {
    problem("");
    try {
      const event = await api("GET", base);
      $("event-title").textContent = event.props.name + ", " + event.props.date + " (" +
        event.props.timezone + ")" + (event.props.venue ? ", " + event.props.venue : "");
      const data = await api("GET", base + "/meetings");
      showGrid(event, data.data);
      showFairness(data.fairness);
    } catch (e) {
      problem(e.message);
    }
  }

  function describe(m) {
    return m.a + " \u00d7 " + m.b + ": slot " + m.slot + ", table " + m.table;
  }

  function params() {
    return {min_meetings: $("min-meetings").value || "1", time_limit: $("time-limit").value || "10"};
  }

  async function reschedule(ev) {
    ev.preventDefault();
    problem("");
    $("plan-status").textContent = "Computing a new schedule...";
    $("diff").hidden = true;
    try {
      preview = await api("POST", base + "/schedule", params());
      const d = preview.diff, s = preview.summary;
      $("diff-summary").textContent = d.added.length + " added, " + d.moved.length +
        " moved, " + d.removed.length + " removed; " + s.meetings + " meetings, value " +
        s.value.toFixed(3) + " (greedy " + s.greedy_value.toFixed(3) + "), " + s.status +
        "; worst served " + s.worst_count;
      const list = $("diff-list");
      list.replaceChildren();
      for (const m of d.added) list.append(el("li", "added: " + describe(m)));
      for (const m of d.moved) list.append(el("li", "moved: " + describe(m.from) + " \u2192 slot " + m.to.slot + ", table " + m.to.table));
      for (const m of d.removed) list.append(el("li", "removed: " + describe(m)));
      $("diff").hidden = false;
      $("plan-status").textContent = "Preview ready: nothing is stored until you apply it.";
    } catch (e) {
      $("plan-status").textContent = "";
      problem(e.message);
    }
  }

  async function apply() {
    problem("");
    try {
      const done = await api("POST", base + "/schedule", {...params(), apply: "true"});
      $("diff").hidden = true;
      $("plan-status").textContent = "Applied: " + done.summary.meetings + " meetings stored.";
      await load();
    } catch (e) {
      problem(e.message);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      try { sessionStorage.setItem(KEY_STORAGE, $("key").value.trim()); } catch (e) { /* ignore */ }
      $("key").value = "";
      load();
    });
    $("plan-form").addEventListener("submit", reschedule);
    $("apply").addEventListener("click", apply);
    if (key()) load();
  });
})();
