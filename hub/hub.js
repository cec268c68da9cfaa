// ext hub: the page's only script (served from /static/hub.js; the CSP forbids inline script).
// Catalog: filters the server-rendered rows as you type, with the rule of `ext search`
// (ops::search_matches): the text in name, description or keywords (case-insensitive); ABI with
// or without a leading v; type exact; license case-insensitive; platform NAME or NAME@VERSION.
// Deploy: the Copy button. Without JavaScript the forms do the same through the server.
"use strict";

(function () {
  const token = (document.querySelector('meta[name="hub-token"]') || {}).content || "";

  function byId(id) {
    return document.getElementById(id);
  }

  function setupCatalog() {
    const form = byId("search");
    const table = byId("catalog");
    if (!form || !table) return;
    // The rows in their tbody chunks (hub.css): a chunk is hidden when none of its rows is
    // shown, and its estimated height follows its shown rows, so a chunk out of view (not laid
    // out) still takes about the room it will need.
    const chunks = Array.from(table.tBodies).map((body) => ({ body, shown: -1 }));
    const data = [];
    chunks.forEach((c, ci) => {
      for (const r of Array.from(c.body.rows)) {
        data.push({
          row: r,
          chunk: ci,
          text: r.dataset.text || "",
          type: r.dataset.type || "",
          abi: r.dataset.abi || "",
          platforms: (r.dataset.platforms || "").split(" ").filter((p) => p),
          license: r.dataset.license || "",
        });
      }
    });
    // One layout read, at setup: the average height of a shown row in the first chunk (in view,
    // so laid out), the unit of the estimates.
    let rowPx = 58;
    if (chunks.length) {
      const n = Array.from(chunks[0].body.rows).filter((r) => !r.hidden).length;
      const h = chunks[0].body.getBoundingClientRect().height;
      if (n > 0 && h > 0) rowPx = Math.max(20, h / n);
    }
    const perChunk = new Array(chunks.length).fill(0);
    const q = byId("q");
    const selects = ["type", "abi", "platform", "license"].map(byId);
    const count = byId("count");

    // One pass over the rows that only writes (no layout is read while the DOM changes).
    function apply() {
      const t0 = performance.now();
      const text = q.value.trim().toLowerCase();
      const [type, abiRaw, platform, licenseRaw] = selects.map((s) => (s ? s.value : ""));
      const abi = abiRaw.replace(/^v/, "");
      const license = licenseRaw.toLowerCase();
      const withVersion = platform.indexOf("@") >= 0;
      let shown = 0;
      perChunk.fill(0);
      for (const d of data) {
        let ok = true;
        if (text && d.text.indexOf(text) < 0) ok = false;
        if (ok && type && d.type !== type) ok = false;
        if (ok && abi && d.abi !== abi) ok = false;
        if (ok && license && d.license !== license) ok = false;
        if (ok && platform) {
          ok = d.platforms.some((p) => (withVersion ? p === platform : p.split("@")[0] === platform));
        }
        if (d.row.hidden === ok) d.row.hidden = !ok;
        if (ok) {
          shown++;
          perChunk[d.chunk]++;
        }
      }
      chunks.forEach((c, ci) => {
        const n = perChunk[ci];
        if (n === c.shown) return;
        c.shown = n;
        if (c.body.hidden !== (n === 0)) c.body.hidden = n === 0;
        c.body.style.containIntrinsicHeight = Math.round(n * rowPx) + "px";
      });
      count.textContent = String(shown);
      // Read by tests/browser/hub_browser.py: how long the script's part of the update took.
      document.body.dataset.filterMs = String(performance.now() - t0);
    }

    q.addEventListener("input", apply);
    for (const s of selects) if (s) s.addEventListener("change", apply);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      apply();
    });
    const refresh = byId("refresh");
    if (refresh) {
      refresh.hidden = false;
      refresh.addEventListener("click", () => {
        refresh.disabled = true;
        fetch("/api/refresh", { method: "POST", headers: { "X-Hub-Token": token } })
          .then(() => window.location.reload())
          .catch(() => (refresh.disabled = false));
      });
    }
    apply();
  }

  function setupDeploy() {
    const copy = byId("copy");
    const yaml = byId("yaml");
    if (!copy || !yaml) return;
    copy.hidden = false;
    copy.addEventListener("click", () => {
      const done = () => {
        copy.textContent = "Copied";
        setTimeout(() => (copy.textContent = "Copy"), 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(yaml.textContent).then(done, () => {});
      } else {
        const range = document.createRange();
        range.selectNodeContents(yaml);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        document.execCommand("copy");
        done();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupCatalog();
    setupDeploy();
    document.body.dataset.ready = "1";
  });
})();
