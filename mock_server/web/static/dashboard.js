// The mock server's dashboard: plain browser JavaScript, no build step, nothing loaded from elsewhere.
// It reads the same JSON a tool would: GET / (the APIs, with their base URLs), GET /__mock/ (the admin
// endpoints), and the admin API (/__mock/info, /requests, /state, /reset, and /stubs once the server has it).
"use strict";

(() => {
  const TOKEN_KEY = "mock-admin-token";
  const POLL_MS = 1000;
  const $ = (id) => document.getElementById(id);

  let apis = [];
  let examples = {};
  let journal = [];
  let journalKey = "";
  let waitingForToken = false;
  let noticeTimer = 0;

  class AdminRefused extends Error {}

  // -- talking to the server ----------------------------------------------------------------------------------
  function adminToken() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  async function request(path, options = {}) {
    const headers = new Headers(options.headers || {});
    headers.set("Accept", "application/json");
    if (adminToken()) headers.set("X-Mock-Admin-Token", adminToken());
    const response = await fetch(path, { ...options, headers, cache: "no-store" });
    if (response.status === 401) {
      askForToken(adminToken() ? "That token was refused: enter the one given with --admin-token."
        : "This server was started with --admin-token: enter that token to see and change its state.");
      throw new AdminRefused("admin token required");
    }
    if (response.status === 403) {  // not a loopback client and no --admin-token: nothing to ask for, stop polling
      const body = await response.json().catch(() => ({}));
      waitingForToken = true;
      $("token-reason").textContent = body.message || "The admin API refused this browser.";
      $("token-form").hidden = true;
      $("token-panel").hidden = false;
      throw new AdminRefused("forbidden");
    }
    return response;
  }

  async function getJson(path, options) {
    const response = await request(path, options);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function failed(error) {
    if (!(error instanceof AdminRefused)) notice(String(error.message || error), true);
  }

  // -- small DOM helpers --------------------------------------------------------------------------------------
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  function notice(text, isError = false) {
    const node = $("notice");
    node.textContent = text;
    node.className = isError ? "error" : "";
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { node.textContent = ""; }, 6000);
  }

  function absolute(url) {
    return new URL(url, window.location.origin).href;
  }

  // -- admin token --------------------------------------------------------------------------------------------
  function askForToken(reason) {
    waitingForToken = true;
    $("token-reason").textContent = reason;
    $("token-form").hidden = false;
    $("token-panel").hidden = false;
    $("token-input").focus();
  }

  function useToken(event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
    $("token-input").value = "";
    $("token-panel").hidden = true;
    waitingForToken = false;
    loadAdminData();
  }

  // -- APIs ---------------------------------------------------------------------------------------------------
  function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function curlCommand(baseUrl, example) {
    const words = ["curl"];
    if (example.method !== "GET") words.push("-X", example.method);
    for (const [name, value] of Object.entries(example.headers || {})) words.push("-H", shellQuote(`${name}: ${value}`));
    if (example.body !== null && example.body !== undefined) words.push("-d", shellQuote(JSON.stringify(example.body)));
    words.push(shellQuote(baseUrl.replace(/\/+$/, "") + example.path));
    return words.join(" ");
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {  // not a secure context: fall back to a selection
      const area = el("textarea", {}, text);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }

  function renderApis() {
    fill($("apis").tBodies[0], apis.map((api) => {
      const baseUrl = absolute(api.base_url);
      const example = examples[api.name];
      const curl = example ? curlCommand(baseUrl, example) : null;
      return el("tr", { "data-api": api.name },
        el("td", {}, el("strong", {}, api.name), el("div", { className: "muted" }, api.title || "")),
        el("td", {}, el("code", { className: "base-url" }, baseUrl)),
        el("td", { className: "number operations" }, api.operations),
        el("td", {},
          el("a", { href: absolute(api.ui), className: "ui-link" }, "Swagger UI"), " · ",
          el("a", { href: absolute(api.spec), className: "spec-link" }, "spec")),
        el("td", {}, curl === null ? el("span", { className: "muted" }, "…")
          : el("div", {}, el("pre", { className: "curl" }, curl),
            el("button", { type: "button", className: "copy", onclick: (e) => copy(curl, e.target) }, "Copy"))),
        el("td", {}, el("button", { type: "button", className: "reset", title: `POST /__mock/reset?api=${api.name}`,
          onclick: () => reset(api.name) }, "Reset")));
    }));
    const select = $("filter-api");
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "all"), ...apis.map((api) => el("option", { value: api.name }, api.name)));
    select.value = chosen;
  }

  async function loadIndex() {
    const index = await getJson("/");
    apis = index.apis || [];
    renderApis();
  }

  // -- settings and the admin endpoint list -------------------------------------------------------------------
  function size(bytes) {
    for (const [unit, factor] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]]) {
      if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
    }
    return `${bytes} bytes`;
  }

  function renderSettings(settings) {
    const [low, high] = settings.latency_ms;
    const rows = [
      ["State", settings.state],
      ["Seed", settings.seed === null ? "none (different data on each start)" : settings.seed],
      ["Generated items per collection", settings.seed_items],
      ["Auth token", settings.auth_token_required ? "required (--auth-token)" : "not required: any non-empty credential"],
      ["Admin token", settings.admin_token_required ? "required (--admin-token)" : "not set: loopback clients only"],
      ["Latency", high ? `${low}–${high} ms` : "none"],
      ["Error rate", settings.error_rate ? `${Math.round(settings.error_rate * 1000) / 10}%` : "off"],
      ["Stream delay", `${settings.stream_delay_ms} ms`],
      ["CORS", settings.cors ? "on" : "off"],
      ["Largest body", size(settings.max_body_bytes)],
      ["Response validation", settings.validate_responses ? "on" : "off"],
      ["Workers", settings.workers],
      ["Specs", settings.specs.join(", ")],
    ];
    $("settings").replaceChildren(...rows.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
  }

  async function loadEndpoints() {
    const data = await getJson("/__mock/");
    fill($("endpoints").tBodies[0], data.endpoints.map((endpoint) => el("tr", {},
      el("td", { className: "mono" }, endpoint.methods.join(", ")),
      el("td", {}, el("code", {}, endpoint.path)),
      el("td", {}, endpoint.description))));
  }

  // -- the request journal ------------------------------------------------------------------------------------
  function statusMatches(status, filter) {
    if (!filter) return true;
    if (filter === "error") return status >= 400;
    return String(status).startsWith(filter);
  }

  function renderRequests() {
    const api = $("filter-api").value;
    const status = $("filter-status").value;
    const shown = journal.slice().reverse()
      .filter((entry) => (!api || entry.api === api) && statusMatches(entry.status, status));
    fill($("requests").tBodies[0], shown.map((entry) => el("tr", {},
      el("td", { className: "mono" }, new Date(entry.time).toLocaleTimeString()),
      el("td", {}, entry.api),
      el("td", { className: "mono" }, entry.method),
      el("td", { className: "mono path" }, entry.path + (entry.query ? `?${entry.query}` : "")),
      el("td", { className: `mono status status-${String(entry.status)[0]}` }, entry.status),
      el("td", { className: "number" }, entry.latency_ms),
      el("td", { className: "number" }, entry.stream ? entry.stream.events : ""))));
    $("requests-empty").hidden = shown.length > 0;
    $("requests-empty").textContent = journal.length ? "No request matches these filters." : "No requests yet: call one of the APIs above.";
  }

  async function refreshRequests() {
    const data = await getJson("/__mock/requests?limit=200");
    journal = data.requests || [];
    const key = `${journal.length}|${JSON.stringify(journal[journal.length - 1] || null)}`;
    const changed = key !== journalKey;
    journalKey = key;
    if (changed) renderRequests();
    return changed;
  }

  // -- state: counts, reset, export, import -------------------------------------------------------------------
  async function refreshState() {
    const state = await getJson("/__mock/state");
    const rows = [];
    for (const api of Object.keys(state).sort()) {
      for (const resource of Object.keys(state[api]).sort()) {
        const items = state[api][resource];
        rows.push(el("tr", { "data-api": api, "data-resource": resource },
          el("td", {}, api), el("td", {}, resource), el("td", { className: "number count" }, items.length)));
      }
    }
    fill($("state").tBodies[0], rows);
    $("state-empty").hidden = rows.length > 0;
  }

  async function reset(apiName) {
    try {
      const path = apiName ? `/__mock/reset?api=${encodeURIComponent(apiName)}` : "/__mock/reset";
      const response = await request(path, { method: "POST" });
      if (!response.ok) throw new Error(`reset: HTTP ${response.status}`);
      notice(apiName ? `${apiName} reset` : "All APIs reset");
      await refreshState();
      await refreshRequests();
      await refreshStubs();
    } catch (error) {
      failed(error);
    }
  }

  async function exportState() {
    try {
      const response = await request("/__mock/state");
      if (!response.ok) throw new Error(`export: HTTP ${response.status}`);
      const blob = new Blob([await response.text()], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const link = el("a", { href: url, download: `mock-state-${stamp}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      $("state-message").textContent = "Exported.";
    } catch (error) {
      failed(error);
    }
  }

  async function importState(event) {
    const input = event.target;
    const file = input.files && input.files[0];
    if (!file) return;
    try {
      const response = await request("/__mock/state", {
        method: "PUT", body: await file.text(), headers: { "Content-Type": "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        $("state-message").textContent = `Import refused: ${body.message || `HTTP ${response.status}`}`;
        return;
      }
      let count = 0;
      for (const resources of Object.values(body.imported || {})) {
        for (const n of Object.values(resources)) count += n;
      }
      $("state-message").textContent = `Imported ${count} items from ${file.name}.`;
      await refreshState();
    } catch (error) {
      failed(error);
    } finally {
      input.value = "";
    }
  }

  // -- stubs: shown once the server has GET /__mock/stubs ------------------------------------------------------
  function brief(value) {
    if (value === undefined || value === null) return "";
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
  }

  async function refreshStubs() {
    const response = await request("/__mock/stubs");
    if (response.status !== 200) {
      $("stubs-panel").hidden = true;
      return;
    }
    const data = await response.json();
    const stubs = Array.isArray(data) ? data : (data.stubs || data.items || []);
    fill($("stubs").tBodies[0], stubs.map((stub) => el("tr", {},
      el("td", { className: "mono" }, stub.id || ""),
      el("td", {}, stub.api || ""),
      el("td", { className: "mono" }, stub.operation || [stub.method, stub.path].filter(Boolean).join(" ")),
      el("td", { className: "mono" }, brief(stub.match)),
      el("td", { className: "mono" }, brief(stub.respond)))));
    $("stubs-empty").hidden = stubs.length > 0;
    $("stubs-panel").hidden = false;
  }

  // -- start and keep up to date ------------------------------------------------------------------------------
  async function loadAdminData() {
    try {
      const info = await getJson("/__mock/info");
      examples = info.examples || {};
      renderSettings(info.settings);
      renderApis();
      await refreshRequests();
      await refreshState();
      await refreshStubs();
    } catch (error) {
      failed(error);
    }
  }

  async function poll() {
    if ($("live").checked && !document.hidden && !waitingForToken) {
      try {
        if (await refreshRequests()) {  // something happened: the state may have changed too
          await refreshState();
          await refreshStubs();
        }
      } catch (error) {
        failed(error);
      }
    }
    setTimeout(poll, POLL_MS);
  }

  async function start() {
    $("origin").textContent = window.location.origin;
    $("token-form").addEventListener("submit", useToken);
    $("reset-all").addEventListener("click", () => reset(null));
    $("export-state").addEventListener("click", exportState);
    $("import-state").addEventListener("change", importState);
    $("filter-api").addEventListener("change", renderRequests);
    $("filter-status").addEventListener("change", renderRequests);
    try {
      await loadIndex();
      await loadEndpoints();
    } catch (error) {
      failed(error);
    }
    await loadAdminData();
    setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
