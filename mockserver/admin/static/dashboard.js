// The mockserver dashboard: vanilla JS, no build step, nothing fetched from elsewhere.
// Request data is hostile: everything shown goes in as text nodes, never parsed as HTML.
"use strict";

(() => {
  const POLL_MS = 1000;
  const MAX_BACKOFF_MS = 8000;
  const MAX_ROWS = 1000; // rows kept in the table; older ones page back in on demand
  const SIDE_REFRESH_MS = 5000; // stubs and scenarios also change without new requests

  // The page's namespace is in its own URL (`/__ns/{name}/__admin/dashboard`): every URL
  // below is relative to it, so every request is scoped without saying so. The selector in
  // the header moves to another namespace's dashboard.
  const scoped = location.pathname.match(/^(.*?)\/__ns\/([A-Za-z0-9._-]{1,64})\/__admin\//);
  const root = scoped ? scoped[1] : location.pathname.split("/__admin/")[0];
  const namespace = scoped ? scoped[2] : null;

  const $ = (id) => document.getElementById(id);
  const view = {
    newest: null, // id of the newest row shown: the polling cursor
    oldest: null, // id of the oldest row shown: the paging-back cursor
    hasOlder: false,
    keep: MAX_ROWS, // rows kept as new ones arrive: more once the user has paged back further
    selected: null,
    paused: false,
    failures: 0,
    lastSide: 0,
  };

  function url(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined) query.set(key, value);
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  }

  async function getJson(path, params) {
    const response = await fetch(url(path, params), { cache: "no-store" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // el("td", {className: "x", title: "y"}, "text", otherNode): strings become text nodes.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function stubLabel(stub) {
    return stub.name || `(unnamed) ${stub.id.slice(0, 8)}`;
  }

  function difference(d) {
    return d.key ? `${d.section} ${d.key}` : d.section;
  }

  // -- journal ---------------------------------------------------------------------------
  function nearMissLine(near) {
    if (!near) return el("div", { className: "near-miss" }, "no stubs to compare");
    const differs = near.differences.map(difference).join(", ") || "nothing listed";
    return el("div", { className: "near-miss", title: near.stub.id },
      `nearest: ${stubLabel(near.stub)} — differs in ${differs}`);
  }

  function journalRow(entry) {
    const stubCell = el("td", { className: "stub" });
    if (entry.stub) {
      stubCell.append(el("span", { className: "stub-name", title: entry.stub.id },
        stubLabel(entry.stub)));
    } else {
      stubCell.append(el("span", { className: "unmatched" }, "unmatched"));
      stubCell.append(entry.nearMissPending
        ? el("div", { className: "near-miss pending" }, "finding the nearest stub…")
        : nearMissLine(entry.nearMiss));
    }
    const other = entry.subEvents.filter((t) => t !== "REQUEST_NOT_MATCHED");
    if (other.length) stubCell.append(el("span", { className: "badge" }, other.join(", ")));
    const row = el("tr", { dataset: entry.nearMissPending ? { id: entry.id, pending: "1" }
      : { id: entry.id } },
      el("td", { className: "time", title: entry.time }, entry.time.slice(11, 23)),
      el("td", { className: "method" }, entry.method),
      el("td", { className: "url" }, entry.url),
      el("td", { className: `status status-${String(entry.status)[0]}` }, entry.status),
      stubCell);
    if (entry.id === view.selected) row.classList.add("selected");
    row.addEventListener("click", () => select(entry.id));
    return row;
  }

  function renderCounts(page) {
    const parts = [`${page.total} in journal`];
    if (page.evicted) parts.push(`${page.evicted} evicted`);
    $("counts").textContent = parts.join(" · ");
    const notice = $("journal-notice");
    notice.hidden = page.journalEnabled;
    notice.textContent = page.journalEnabled ? ""
      : "The request journal is disabled (--no-request-journal): nothing is recorded.";
  }

  function updateEmpty() {
    const rows = $("journal-rows");
    $("journal-empty").hidden = rows.children.length > 0;
    view.newest = rows.firstElementChild ? rows.firstElementChild.dataset.id : null;
    view.oldest = rows.lastElementChild ? rows.lastElementChild.dataset.id : null;
  }

  function trim() {
    const rows = $("journal-rows");
    while (rows.children.length > view.keep) {
      rows.lastElementChild.remove();
      view.hasOlder = true;
    }
    $("older").hidden = !view.hasOlder;
  }

  async function poll() {
    const first = view.newest === null;
    const page = await getJson("dashboard/journal", { after: view.newest });
    const rows = $("journal-rows");
    if (page.reset || first) {
      rows.replaceChildren(...page.entries.map(journalRow));
      view.hasOlder = page.hasOlder;
      view.keep = MAX_ROWS;
    } else if (page.entries.length) {
      const fresh = page.entries.map(journalRow);
      fresh.forEach((row) => row.classList.add("fresh"));
      rows.prepend(...fresh);
    }
    renderCounts(page);
    trim();
    updateEmpty(); // after trimming: the paging-back cursor is the oldest row still shown
    await fillNearMisses();
    return page.entries.length > 0 || page.reset;
  }

  // Near misses the server had no time for in a page's answer come in follow-up answers.
  async function fillNearMisses() {
    for (;;) {
      const rows = [...$("journal-rows").querySelectorAll("tr[data-pending]")];
      if (!rows.length) return;
      const data = await getJson("dashboard/near-misses",
        { ids: rows.slice(0, 200).map((row) => row.dataset.id).join(",") });
      for (const row of rows) {
        if (!(row.dataset.id in data.nearMisses)) continue;
        delete row.dataset.pending;
        row.querySelector(".near-miss").replaceWith(nearMissLine(data.nearMisses[row.dataset.id]));
      }
    }
  }

  async function loadOlder() {
    if (!view.oldest) return;
    const page = await getJson("dashboard/journal", { before: view.oldest });
    $("journal-rows").append(...page.entries.map(journalRow));
    view.hasOlder = page.hasOlder;
    view.keep = Math.max(view.keep, $("journal-rows").children.length);
    $("older").hidden = !view.hasOlder;
    updateEmpty();
    await fillNearMisses();
  }

  // -- details ---------------------------------------------------------------------------
  function headerList(headers) {
    if (!headers.length) return el("p", { className: "muted" }, "no headers");
    return el("dl", {}, ...headers.flatMap(([name, value]) => [el("dt", {}, name),
      el("dd", {}, value)]));
  }

  function bodyBlock(part) {
    if (!part.bodySize) return el("p", { className: "muted" }, "no body");
    const note = part.bodyTruncated
      ? el("p", { className: "muted" }, `first ${part.body.length} of ${part.bodySize} bytes`)
      : null;
    return el("div", {}, el("pre", { className: "body" }, part.body), note);
  }

  function nearMisses(list) {
    if (!list.length) return el("p", { className: "muted" }, "There are no stubs to compare.");
    return el("ol", { className: "near-misses" }, ...list.map((near) => el("li", {},
      el("strong", { title: near.stub.id }, stubLabel(near.stub)),
      ` — distance ${near.distance}`,
      el("ul", { className: "differences" }, ...(near.differences.length
        ? near.differences.map((d) => el("li", {}, difference(d),
          d.reason ? el("span", { className: "muted" }, `: ${d.reason}`) : null))
        : [el("li", {}, "nothing differs now (the stubs may have changed since)")])))));
  }

  function subEvents(list) {
    return el("div", {}, ...list.map((event) => el("div", { className: "sub-event" },
      el("strong", {}, event.type || "event"),
      event.data && typeof event.data.report === "string"
        ? el("pre", { className: "report" }, event.data.report)
        : el("pre", {}, JSON.stringify(event.data, null, 2)))));
  }

  async function copyAsStub(id, target) {
    const response = await fetch(url(`dashboard/journal/${encodeURIComponent(id)}/stub.yaml`));
    if (!response.ok) throw new Error(`copy as stub: HTTP ${response.status}`);
    const text = await response.text();
    const note = el("p", { className: "muted" }, "A stub that would have matched (YAML):");
    const pre = el("pre", { id: "stub-yaml" }, text);
    target.replaceChildren(note, pre);
    try {
      await navigator.clipboard.writeText(text);
      note.textContent = "Copied to the clipboard: a stub that would have matched (YAML).";
    } catch (_) {
      window.getSelection().selectAllChildren(pre); // no clipboard here: select it instead
    }
  }

  async function select(id) {
    view.selected = id;
    for (const row of $("journal-rows").children) {
      row.classList.toggle("selected", row.dataset.id === id);
    }
    const detail = $("detail");
    let event;
    try {
      event = await getJson(`dashboard/journal/${encodeURIComponent(id)}`);
    } catch (error) {
      detail.replaceChildren(el("p", { className: "notice" }, String(error.message)));
      return;
    }
    const req = event.request;
    const res = event.response;
    const parts = [
      el("h3", {}, `${req.method} ${req.url}`),
      el("dl", {}, el("dt", {}, "Time"), el("dd", {}, event.time),
        el("dt", {}, "Client"), el("dd", {}, req.clientIp),
        el("dt", {}, "Stub"), el("dd", {}, event.stub ? `${stubLabel(event.stub)} (${event.stub.id})`
          : el("span", { className: "unmatched" }, "unmatched")),
        el("dt", {}, "Timing"),
        el("dd", {}, `${event.timing.totalTime} ms + ${event.timing.addedDelay} ms delay`)),
      el("h3", {}, "Request headers"), headerList(req.headers),
      el("h3", {}, "Request body"), bodyBlock(req),
      el("h3", {}, `Response ${res.status}`), headerList(res.headers), bodyBlock(res),
    ];
    if (!event.stub) {
      const target = el("div", {});
      const button = el("button", { type: "button", id: "copy-stub" }, "Copy as stub");
      button.addEventListener("click", () => copyAsStub(id, target)
        .catch((error) => target.replaceChildren(el("p", { className: "notice" }, error.message))));
      parts.push(el("h3", {}, "Nearest stubs"), nearMisses(event.nearMisses || []),
        button, target);
    }
    if (event.subEvents.length) parts.push(el("h3", {}, "Sub-events"), subEvents(event.subEvents));
    if (view.selected === id) detail.replaceChildren(...parts);
  }

  // -- stubs and scenarios ---------------------------------------------------------------
  async function refreshStubs() {
    const data = await getJson("dashboard/stubs");
    $("stubs").replaceChildren(...data.stubs.map((stub) => el("tr", { dataset: { id: stub.id } },
      el("td", {}, el("span", { className: "stub-name" }, stubLabel(stub)),
        stub.scenario ? el("span", { className: "badge" }, stub.scenario) : null),
      el("td", {}, stub.method),
      el("td", { className: "url", title: stub.urlKind || "any URL" }, stub.url ?? "any"),
      el("td", { className: "hits" }, stub.hits),
      el("td", { className: "id", title: stub.id }, stub.id.slice(0, 8)))));
    const shown = data.stubs.length < data.total ? `${data.stubs.length} of ${data.total}`
      : `${data.total}`;
    $("stubs-note").textContent = `${shown} · hits counted from the journal`
      + (data.evicted ? " (evicted requests not counted)" : "");
  }

  async function refreshScenarios() {
    const data = await getJson("scenarios");
    $("scenarios").replaceChildren(...data.scenarios.map((scenario) => {
      const reset = el("button", { type: "button", className: "reset" }, "Reset");
      reset.addEventListener("click", () => post(
        `scenarios/${encodeURIComponent(scenario.name)}/reset`).then(refreshScenarios));
      return el("tr", { dataset: { name: scenario.name } },
        el("td", { className: "scenario-name" }, scenario.name),
        el("td", { className: "scenario-state" }, scenario.state),
        el("td", { className: "muted" }, scenario.possibleStates.join(", ")),
        el("td", {}, reset));
    }));
    $("scenarios-empty").hidden = data.scenarios.length > 0;
  }

  // Scenario resets: a failure (say, the admin API refusing) shows in the status badge.
  async function post(path) {
    try {
      const response = await fetch(path, { method: "POST" });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    } catch (error) {
      setLive(error.message, "off");
    }
  }

  async function refreshSide() {
    view.lastSide = Date.now();
    await Promise.all([refreshStubs(), refreshScenarios(), refreshNamespaces()]);
  }

  // -- namespaces ------------------------------------------------------------------------
  function dashboardOf(name) {
    return `${root}${name ? `/__ns/${encodeURIComponent(name)}` : ""}/__admin/dashboard`;
  }

  async function refreshNamespaces() {
    const select = $("namespace");
    const response = await fetch(`${root}/__admin/namespaces`, { cache: "no-store" });
    if (!response.ok) throw new Error(`namespaces: HTTP ${response.status}`);
    const names = (await response.json()).namespaces.map((ns) => ns.name);
    if (namespace !== null && !names.includes(namespace)) names.push(namespace);
    names.sort();
    const options = [el("option", { value: "" }, "default"),
      ...names.map((name) => el("option", { value: name }, name))];
    select.replaceChildren(...options);
    select.value = namespace ?? "";
    select.hidden = names.length === 0;
  }

  // -- the loop --------------------------------------------------------------------------
  function setLive(text, cls) {
    const live = $("live");
    live.textContent = text;
    live.className = `live ${cls}`;
  }

  async function tick() {
    let delay = POLL_MS;
    if (view.paused || document.hidden) {
      setTimeout(tick, delay);
      return;
    }
    try {
      const changed = await poll();
      if (changed || Date.now() - view.lastSide > SIDE_REFRESH_MS) await refreshSide();
      view.failures = 0;
      setLive("live", "on");
    } catch (error) {
      view.failures += 1;
      delay = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** view.failures);
      setLive(`offline, retrying (${error.message})`, "off");
    }
    setTimeout(tick, delay);
  }

  $("namespace").addEventListener("change", (event) => {
    location.href = dashboardOf(event.target.value);
  });
  $("older").addEventListener("click", () => loadOlder().catch((e) => setLive(e.message, "off")));
  $("pause").addEventListener("click", () => {
    view.paused = !view.paused;
    $("pause").textContent = view.paused ? "Resume" : "Pause";
    setLive(view.paused ? "paused" : "live", view.paused ? "" : "on");
  });
  $("reset-all").addEventListener("click", () => post("scenarios/reset").then(refreshScenarios));
  tick();
})();
